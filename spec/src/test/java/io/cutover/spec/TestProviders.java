// SPDX-License-Identifier: Apache-2.0
package io.cutover.spec;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Verdict;
import io.cutover.core.ProviderRegistry;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.FakeRouter;
import io.cutover.simulator.InMemoryArtifactStore;
import io.cutover.spi.ArtifactStore;
import io.cutover.spi.ArtifactStoreProvider;
import io.cutover.spi.Fleet;
import io.cutover.spi.FleetProvider;
import io.cutover.spi.HealthGate;
import io.cutover.spi.HealthGateProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import io.cutover.spi.Router;
import io.cutover.spi.RouterProvider;
import java.time.InstantSource;
import java.util.Set;

/**
 * Recording providers for spec tests, registered by name as a platform would: {@code fake} fleet
 * and router (the simulator's fakes, which record every call), {@code memory} store, and a {@code
 * fixed} gate whose verdict the spec sets ({@code verdict: pass | fail}).
 */
final class TestProviders {
  final FakeFleet fleet = FakeFleet.create();
  final FakeRouter router;
  final InMemoryArtifactStore store = InMemoryArtifactStore.create();

  TestProviders(InstantSource clock) {
    this.router = FakeRouter.create(clock).watch(fleet);
  }

  /** A registry with the recording providers, the core's gates and any discovered ones. */
  ProviderRegistry registry() {
    return ProviderRegistry.create()
        .withDiscovery()
        .register(
            new FleetProvider() {
              @Override
              public String name() {
                return "fake";
              }

              @Override
              public Fleet create(ProviderConfig config, ProviderContext context) {
                config.requireOnly(Set.of());
                return fleet;
              }
            })
        .register(
            new RouterProvider() {
              @Override
              public String name() {
                return "fake";
              }

              @Override
              public Router create(ProviderConfig config, ProviderContext context) {
                config.requireOnly(Set.of());
                return router;
              }
            })
        .register(
            new ArtifactStoreProvider() {
              @Override
              public String name() {
                return "memory";
              }

              @Override
              public ArtifactStore create(ProviderConfig config, ProviderContext context) {
                config.requireOnly(Set.of());
                return store;
              }
            })
        .register(new FixedGateProvider());
  }

  /** {@code fixed}: a gate that always answers the configured verdict. */
  static final class FixedGateProvider implements HealthGateProvider {
    @Override
    public String name() {
      return "fixed";
    }

    @Override
    public HealthGate create(ProviderConfig config, ProviderContext context) {
      config.requireOnly(Set.of("name", "verdict"));
      String name = config.requireString("name");
      String verdict = config.getString("verdict", "pass");
      if (!verdict.equals("pass") && !verdict.equals("fail")) {
        throw new InvalidSpecException(
            config.pathOf("verdict"), "is '" + verdict + "'", "use pass or fail");
      }
      return new HealthGate() {
        @Override
        public String name() {
          return name;
        }

        @Override
        public Verdict evaluate(io.cutover.spi.GateContext ctx) {
          return verdict.equals("pass") ? Verdict.pass("fixed") : Verdict.fail("fixed");
        }
      };
    }
  }
}
