// SPDX-License-Identifier: Apache-2.0
package io.cutover.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.Instance;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.TrafficSplit;
import io.cutover.spi.OperationId;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import io.cutover.spi.Router;
import io.cutover.spi.RouterProvider;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProviderRegistryTest {

  /**
   * A router that only remembers its configured name; registered in META-INF/services for
   * discovery.
   */
  public static final class EchoRouterProvider implements RouterProvider {
    @Override
    public String name() {
      return "echo";
    }

    @Override
    public Router create(ProviderConfig config, ProviderContext context) {
      config.requireOnly(Set.of("label"));
      String label = config.requireString("label");
      return new Router() {
        @Override
        public void apply(
            OperationId op,
            String service,
            TrafficSplit split,
            Map<String, List<Instance>> backends) {}

        @Override
        public Optional<TrafficSplit> current(String service) {
          return Optional.empty();
        }

        @Override
        public String toString() {
          return "echo:" + label;
        }
      };
    }
  }

  @Test
  void discoveryIsOptInAndFindsServiceLoaderProviders() {
    ProviderConfig cfg = ProviderConfigs.of("echo", Map.of("label", "a"));
    assertThatThrownBy(() -> ProviderRegistry.create().router("echo", cfg))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("no RouterProvider named 'echo'")
        .hasMessageContaining("withDiscovery");
    Router r = ProviderRegistry.create().withDiscovery().router("echo", cfg);
    assertThat(r).hasToString("echo:a");
    assertThat(ProviderRegistry.create().withDiscovery().names(RouterProvider.class))
        .contains("echo");
  }

  @Test
  void explicitRegistrationWinsAndDuplicatesAreRefused() {
    RouterProvider mine =
        new RouterProvider() {
          @Override
          public String name() {
            return "echo";
          }

          @Override
          public Router create(ProviderConfig config, ProviderContext context) {
            return new EchoRouterProvider()
                .create(ProviderConfigs.of("echo", Map.of("label", "explicit")), context);
          }
        };
    ProviderRegistry reg = ProviderRegistry.create().withDiscovery().register(mine);
    assertThat(reg.router("echo", ProviderConfigs.empty("echo"))).hasToString("echo:explicit");
    assertThatThrownBy(() -> reg.register(new EchoRouterProvider()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("registered as 'echo'");
  }

  @Test
  void configurationErrorsNameTheProviderAndThePath() {
    ProviderRegistry reg = ProviderRegistry.create().register(new EchoRouterProvider());
    assertThatThrownBy(
            () -> reg.router("echo", ProviderConfigs.of("echo", Map.of("lable", "typo"))))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("$.providers.echo.lable")
        .hasMessageContaining("provider 'echo' has no setting 'lable'");
    assertThatThrownBy(() -> reg.router("echo", ProviderConfigs.of("echo", Map.of())))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("$.providers.echo.label")
        .hasMessageContaining("requires 'label'");
  }
}
