// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator;

import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.Release;
import io.cutover.api.plan.Plan;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.core.Cutover;
import io.cutover.core.ResiliencePolicy;
import io.cutover.core.ResilienceScope;
import io.cutover.core.Rollout;
import io.cutover.core.RolloutOptions;
import io.cutover.core.journal.InMemoryJournal;
import io.cutover.simulator.Crashable.CrashSwitch;
import io.cutover.spi.Fleet;
import io.cutover.spi.HealthGate;
import io.cutover.spi.RolloutStrategy;
import io.cutover.spi.Router;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A complete Cutover engine on fakes and virtual time, to run rollouts to their end in
 * milliseconds: a {@link VirtualScheduler}, a {@link FakeFleet}, a {@link FakeRouter} watching it,
 * an {@link InMemoryArtifactStore}, {@link ScriptedMetrics}, an {@link InMemoryJournal}, and the
 * engine wired to them (provider calls run inline on the test thread, so runs are deterministic).
 *
 * <pre>{@code
 * RolloutHarness h = RolloutHarness.builder().gate(errorRateGate).build();
 * Release v1 = h.release("checkout", "v1");
 * h.cutover().adopt(v1, 4);
 * RolloutResult r = h.deploy(Strategies.canary().setWeight(10).analysis(verify).setWeight(50).build(),
 *     h.release("checkout", "v2"), 4);
 * CutoverAssertions.assertThat(r).succeeded();
 * }</pre>
 *
 * <p><b>Threading.</b> Drive it from one test thread; everything runs on that thread.
 */
public final class RolloutHarness implements AutoCloseable {
  /** How long {@link #run(Rollout)} lets a rollout run in virtual time before giving up. */
  public static final Duration DEFAULT_MAX_VIRTUAL_TIME = Duration.ofDays(2);

  private VirtualScheduler scheduler;
  private final Builder settings;
  private final CrashSwitch crash = new CrashSwitch();
  private final FakeFleet fleet;
  private final FakeRouter router;
  private final InMemoryArtifactStore store;
  private final ScriptedMetrics metrics;
  private final InMemoryJournal journal;
  private final List<HealthGate> gates = new ArrayList<>();
  private Cutover cutover;
  private final List<RolloutEvent> events = new CopyOnWriteArrayList<>();

  private RolloutHarness(Builder b) {
    this.settings = b;
    this.scheduler = VirtualScheduler.on(VirtualClock.startingAt(b.start));
    this.fleet = FakeFleet.create();
    this.router = FakeRouter.create(scheduler.clock()).watch(fleet);
    this.store = InMemoryArtifactStore.create();
    this.metrics = ScriptedMetrics.create(scheduler.clock());
    this.journal = InMemoryJournal.create();
    for (Function<ScriptedMetrics, HealthGate> g : b.gates) {
      gates.add(g.apply(metrics));
    }
    this.cutover = newEngine();
  }

  /**
   * An engine on the current scheduler, wired to the harness's journal and fakes through the crash
   * switch.
   */
  private Cutover newEngine() {
    Cutover.Builder cb =
        Cutover.builder()
            .clock(scheduler.clock())
            .scheduler(scheduler)
            .providerExecutor(Runnable::run)
            .journal(new Crashable.CrashableJournal(journal, crash))
            .fleet(
                new Crashable.CrashableFleet(
                    settings.fleet != null ? settings.fleet : fleet, crash))
            .router(
                new Crashable.CrashableRouter(
                    settings.router != null ? settings.router : router, crash))
            .artifactStore(store)
            .listener(events::add)
            .resilience(ResilienceScope.DEFAULT, settings.resilience);
    for (HealthGate g : gates) {
      cb.gate(new Crashable.CrashableGate(g, crash));
    }
    settings.customizer.accept(cb);
    return cb.build();
  }

  /**
   * Arms a crash: the engine may append {@code records} more journal records; the next append fails
   * and from then on the journal accepts nothing and every provider refuses every call (no effect),
   * as if the process had died right after that many durable records. Effects the engine performed
   * before the failed append did happen. Follow with {@link #restart()}.
   */
  public void crashAfterRecords(long records) {
    crash.arm(journal.lastSequence() + records);
  }

  /** Whether an armed crash has happened. */
  public boolean crashed() {
    return crash.crashed;
  }

  /**
   * Starts a new engine, as a new process would: a new scheduler on the same clock (the old
   * engine's pending timers die with it), the same journal and the same (real) fleet, router, store
   * and gates. The new engine resumes what the journal says was open.
   *
   * @return the rollouts it resumed
   */
  public List<Rollout> restart() {
    crash.reset();
    scheduler = VirtualScheduler.on(scheduler.clock());
    cutover = newEngine();
    return List.copyOf(cutover.activeRollouts());
  }

  /** A harness with defaults: no gates, start at {@link VirtualClock#DEFAULT_START}. */
  public static RolloutHarness create() {
    return builder().build();
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A release of {@code service} whose artifact (content {@code service:label}) is pushed to the
   * store, tagged {@code label}.
   */
  public Release release(String service, String label) {
    return release(service, label, Map.of());
  }

  /** Like {@link #release(String, String)} with a configuration snapshot. */
  public Release release(String service, String label, Map<String, String> config) {
    ArtifactRef ref =
        store.push(
            "cutover.test/" + service,
            label,
            (service + ":" + label).getBytes(StandardCharsets.UTF_8));
    return Release.of(service, ref, ConfigRef.of(config)).withLabel(label);
  }

  /** Compiles and starts a rollout from the service's stable release, then runs it to its end. */
  public RolloutResult deploy(RolloutStrategy strategy, Release target, int replicas) {
    return run(cutover.deploy(strategy, target, replicas));
  }

  /** Starts a plan and runs it to its end. */
  public RolloutResult run(Plan plan) {
    return run(cutover.start(plan));
  }

  /** Starts a plan with options and runs it to its end. */
  public RolloutResult run(Plan plan, RolloutOptions options) {
    return run(cutover.start(plan, options));
  }

  /**
   * Runs a started rollout until it is terminal, at most {@link #DEFAULT_MAX_VIRTUAL_TIME} of
   * virtual time.
   *
   * @throws AssertionError if it is still running then (stuck), or a scheduler task failed
   */
  public RolloutResult run(Rollout rollout) {
    return run(rollout, DEFAULT_MAX_VIRTUAL_TIME);
  }

  /** Runs a started rollout until it is terminal, at most {@code maxVirtualTime}. */
  public RolloutResult run(Rollout rollout, Duration maxVirtualTime) {
    Instant from = scheduler.clock().instant();
    boolean done =
        scheduler.runUntil(
            () -> rollout.status().state().isTerminal() || crash.crashed, maxVirtualTime);
    if (crash.crashed) {
      return result(rollout, from);
    }
    scheduler.assertNoTaskFailures();
    if (!done) {
      throw new AssertionError(
          "rollout "
              + rollout.id()
              + " is still "
              + rollout.status().state()
              + " after "
              + maxVirtualTime
              + " of virtual time: "
              + rollout.status());
    }
    return result(rollout, from);
  }

  /**
   * Advances virtual time by {@code d} (running everything due) and returns the rollout's state
   * then; for tests that act in the middle of a rollout (approve, abort, promote).
   */
  public RolloutResult runFor(Rollout rollout, Duration d) {
    Instant from = scheduler.clock().instant();
    scheduler.advance(d);
    if (!crash.crashed) {
      scheduler.assertNoTaskFailures();
    }
    return result(rollout, from);
  }

  private RolloutResult result(Rollout rollout, Instant from) {
    String service = rollout.plan().service();
    List<RolloutEvent> mine = new ArrayList<>();
    for (RolloutEvent e : events) {
      if (e.rolloutId().equals(rollout.id())) {
        mine.add(e);
      }
    }
    List<FakeRouter.Entry> timeline =
        router.timeline(service).stream().filter(e -> !e.time().isBefore(from)).toList();
    List<FakeRouter.Violation> violations =
        router.violations().stream()
            .filter(v -> v.service().equals(service) && !v.time().isBefore(from))
            .toList();
    return new RolloutResult(
        rollout,
        rollout.status(),
        mine,
        timeline,
        fleet.calls(),
        violations,
        from,
        scheduler.clock().instant());
  }

  /** The engine. */
  public Cutover cutover() {
    return cutover;
  }

  /** The virtual scheduler (its {@link VirtualScheduler#clock() clock} is the engine's clock). */
  public VirtualScheduler scheduler() {
    return scheduler;
  }

  /** The virtual clock. */
  public VirtualClock clock() {
    return scheduler.clock();
  }

  /** The fake fleet. */
  public FakeFleet fleet() {
    return fleet;
  }

  /** The fake router. */
  public FakeRouter router() {
    return router;
  }

  /** The artifact store. */
  public InMemoryArtifactStore store() {
    return store;
  }

  /** The scripted metrics that gates registered through the builder read. */
  public ScriptedMetrics metrics() {
    return metrics;
  }

  /** The journal. */
  public InMemoryJournal journal() {
    return journal;
  }

  /** Every event of every rollout so far. */
  public List<RolloutEvent> events() {
    return List.copyOf(events);
  }

  @Override
  public void close() {
    cutover.close();
  }

  /** Builds a {@link RolloutHarness}. Not thread-safe. */
  public static final class Builder {
    private Instant start = VirtualClock.DEFAULT_START;
    private final List<Function<ScriptedMetrics, HealthGate>> gates = new ArrayList<>();
    private Consumer<Cutover.Builder> customizer = b -> {};
    private ResiliencePolicy resilience = ResiliencePolicy.DEFAULT;
    private @Nullable Fleet fleet;
    private @Nullable Router router;

    private Builder() {}

    /**
     * Runs the engine on a real fleet instead of the {@link FakeFleet} (e.g. a provider under test
     * against a simulated system), still behind the harness's crash switch: after {@link
     * #crashAfterRecords} the old engine reaches it no more. {@link RolloutHarness#fleet()} stays
     * the (then unused) fake, and {@link RolloutResult#fleetCalls()} is empty.
     */
    public Builder fleet(Fleet fleet) {
      this.fleet = Objects.requireNonNull(fleet);
      return this;
    }

    /**
     * Runs the engine on a real router instead of the {@link FakeRouter}, behind the crash switch
     * like {@link #fleet(Fleet)}. {@link RolloutResult#timeline()} is then empty: read the router.
     */
    public Builder router(Router router) {
      this.router = Objects.requireNonNull(router);
      return this;
    }

    /** Virtual start time. */
    public Builder startingAt(Instant start) {
      this.start = Objects.requireNonNull(start);
      return this;
    }

    /** Registers a gate. */
    public Builder gate(HealthGate gate) {
      Objects.requireNonNull(gate);
      gates.add(m -> gate);
      return this;
    }

    /** Registers a gate built over the harness's {@link ScriptedMetrics}. */
    public Builder gate(Function<ScriptedMetrics, HealthGate> factory) {
      gates.add(Objects.requireNonNull(factory));
      return this;
    }

    /** The resilience policy of every provider kind (default {@link ResiliencePolicy#DEFAULT}). */
    public Builder resilience(ResiliencePolicy policy) {
      this.resilience = Objects.requireNonNull(policy);
      return this;
    }

    /** Further engine settings (listeners, OpenTelemetry, default options, ...). */
    public Builder configure(Consumer<Cutover.Builder> customizer) {
      this.customizer = Objects.requireNonNull(customizer);
      return this;
    }

    /** Builds the harness. */
    public RolloutHarness build() {
      return new RolloutHarness(this);
    }
  }
}
