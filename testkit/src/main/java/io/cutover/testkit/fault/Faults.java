// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.fault;

import io.cutover.spi.ArtifactStore;
import io.cutover.spi.Fleet;
import io.cutover.spi.HealthGate;
import io.cutover.spi.Journal;
import io.cutover.spi.MetricSource;
import io.cutover.spi.Router;
import java.lang.reflect.Proxy;

/**
 * Entry point of fault injection: wrap any SPI implementation and choose which of its calls
 * misbehave.
 *
 * <pre>{@code
 * Router router = Faults.router(fakeRouter)
 *     .only("apply")                                   // current() passes through untouched
 *     .failNth(3)                                      // the 3rd apply fails before it takes effect
 *     .outage(t0.plusSeconds(60), t0.plusSeconds(90))  // applies in this virtual window fail
 *     .latency(Duration.ofMillis(300))                 // every apply takes 300 ms of virtual time
 *     .clock(virtualClock).scheduler(virtualScheduler)
 *     .build();
 * FaultLog log = Faults.log(router);                   // what was injected, and when
 * }</pre>
 *
 * <p>Each wrapper counts only the calls it may fault (see {@link FaultBuilder#only}); "the Nth
 * call" means the Nth such call. Failures are {@link io.cutover.api.ProviderException}s (retryable
 * unless {@link FaultBuilder#nonRetryable()}), except for health gates, which report an ERROR
 * {@link io.cutover.api.Verdict} as their contract asks. See {@link FaultBuilder} for how virtual
 * latency and hangs block the calling thread.
 *
 * <p>Wrappers are thread-safe if the wrapped object is.
 */
public final class Faults {
  private Faults() {}

  /**
   * Faults for a fleet: {@code launch}, {@code scale}, {@code drain}, {@code retire}, {@code
   * instances}.
   */
  public static FaultBuilder<Fleet> fleet(Fleet fleet) {
    return new FaultBuilder<>(Fleet.class, fleet, "fleet");
  }

  /** Faults for a router: {@code apply}, {@code current}. */
  public static FaultBuilder<Router> router(Router router) {
    return new FaultBuilder<>(Router.class, router, "router");
  }

  /** Faults for a health gate: {@code evaluate} ({@code name} always passes through). */
  public static FaultBuilder<HealthGate> healthGate(HealthGate gate) {
    return new FaultBuilder<>(HealthGate.class, gate, "gate:" + gate.name());
  }

  /** Faults for a metric source: {@code query}. */
  public static FaultBuilder<MetricSource> metricSource(MetricSource source) {
    return new FaultBuilder<>(MetricSource.class, source, "metrics");
  }

  /**
   * Faults for an artifact store: {@code resolve}, {@code describe}, {@code fetch}, {@code verify},
   * {@code list}, {@code pin}, {@code unpin}.
   */
  public static FaultBuilder<ArtifactStore> artifactStore(ArtifactStore store) {
    return new FaultBuilder<>(ArtifactStore.class, store, "artifact-store");
  }

  /**
   * Faults for a journal: {@code append}, {@code replay}, {@code records}, {@code tryLease}, {@code
   * leaseHolder}, {@code releaseLease} ({@code close} always passes through).
   */
  public static FaultBuilder<Journal> journal(Journal journal) {
    return new FaultBuilder<>(Journal.class, journal, "journal");
  }

  /**
   * The log of a wrapper made by this class.
   *
   * @throws IllegalArgumentException if {@code faulty} is not such a wrapper
   */
  public static FaultLog log(Object faulty) {
    if (Proxy.isProxyClass(faulty.getClass())
        && Proxy.getInvocationHandler(faulty) instanceof FaultInjector f) {
      return f.log();
    }
    throw new IllegalArgumentException(
        faulty + " was not made by Faults; pass the object that build() returned");
  }
}
