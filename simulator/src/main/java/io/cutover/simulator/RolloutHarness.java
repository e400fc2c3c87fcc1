// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator;

import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.plan.Plan;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.core.Cutover;
import io.cutover.core.ResiliencePolicy;
import io.cutover.core.ResilienceScope;
import io.cutover.core.Rollout;
import io.cutover.core.RolloutOptions;
import io.cutover.core.journal.InMemoryJournal;
import io.cutover.simulator.Crashable.CrashSwitch;
import io.cutover.spi.ArtifactStore;
import io.cutover.spi.Fleet;
import io.cutover.spi.HealthGate;
import io.cutover.spi.OperationId;
import io.cutover.spi.RolloutStrategy;
import io.cutover.spi.Router;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A complete Cutover engine on fakes and virtual time, to run rollouts to their end in
 * milliseconds: a {@link VirtualScheduler}, a {@link FakeFleet}, a {@link FakeRouter} watching it,
 * an {@link InMemoryArtifactStore}, {@link ScriptedMetrics}, an {@link InMemoryJournal}, and the
 * engine wired to them (provider calls run inline on the test thread, so runs are deterministic).
 * Any fake can be replaced with a real provider ({@link Builder#router}, {@link Builder#fleet},
 * {@link Builder#artifactStore}, gates over any metric source): recording wrappers keep the
 * timeline and the checks working.
 *
 * <pre>{@code
 * RolloutHarness h = RolloutHarness.builder().gate(errorRateGate).build();
 * Release v1 = h.release("checkout", "v1");
 * h.adopt(v1, 4); // stable, with 4 READY instances taking all traffic
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
  private final Fleet engineFleet;
  private final Router engineRouter;
  private final Taps.@Nullable RecordingFleet recordingFleet;
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
    if (b.fleet != null) {
      this.recordingFleet = new Taps.RecordingFleet(b.fleet, router);
      this.engineFleet = recordingFleet;
    } else {
      this.recordingFleet = null;
      this.engineFleet = fleet;
    }
    this.engineRouter = b.router != null ? new Taps.RecordingRouter(b.router, router) : router;
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
            .fleet(new Crashable.CrashableFleet(engineFleet, crash))
            .router(new Crashable.CrashableRouter(engineRouter, crash))
            .artifactStore(settings.store != null ? settings.store : store)
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
    if (settings.store != null) {
      throw new IllegalStateException(
          "release(\""
              + service
              + "\", \""
              + label
              + "\") pushes to the harness's in-memory store, but the engine runs on the artifact"
              + " store given to Builder.artifactStore: resolve the artifact from that store and"
              + " use Release.of(service, ref)");
    }
    ArtifactRef ref =
        store.push(
            "cutover.test/" + service,
            label,
            (service + ":" + label).getBytes(StandardCharsets.UTF_8));
    return Release.of(service, ref, ConfigRef.of(config)).withLabel(label);
  }

  /**
   * Makes {@code stable} the service's stable release the way it runs in production before Cutover
   * first deploys it: launches {@code replicas} instances of it in the fleet (the fake one or the
   * one given to {@link Builder#fleet}), routes all of the service's traffic to those of them that
   * are READY (through the router the engine uses, so the split is in the timeline), then {@link
   * Cutover#adopt adopts} it in the engine. Runs before any rollout, outside the crash switch.
   *
   * @return the instances launched
   * @throws io.cutover.api.ProviderException if the fleet or the router fails
   */
  public List<Instance> adopt(Release stable, int replicas) {
    OperationId op = new OperationId("harness-adopt-" + stable.id());
    List<Instance> launched = engineFleet.launch(op.child("launch"), stable, replicas);
    List<Instance> ready =
        engineFleet.instances(stable.service()).stream()
            .filter(i -> i.releaseId().equals(stable.id()) && i.state() == InstanceState.READY)
            .toList();
    engineRouter.apply(
        op.child("route"),
        stable.service(),
        TrafficSplit.all(stable.id()),
        Map.of(stable.id(), ready));
    cutover.adopt(stable, replicas);
    return launched;
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
    // Unroutable splits count as violations: traffic the router accepted has nowhere to go.
    List<FakeRouter.Violation> violations =
        Stream.concat(router.violations().stream(), router.unroutable().stream())
            .filter(v -> v.service().equals(service) && !v.time().isBefore(from))
            .sorted(Comparator.comparing(FakeRouter.Violation::time))
            .toList();
    return new RolloutResult(
        rollout,
        rollout.status(),
        mine,
        timeline,
        recordingFleet != null ? recordingFleet.calls() : fleet.calls(),
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

  /**
   * The fake fleet; unused by the engine when {@link Builder#fleet} gave another one (then {@link
   * RolloutResult#fleetCalls()} lists the calls made to that one).
   */
  public FakeFleet fleet() {
    return fleet;
  }

  /**
   * The router's recording: the fake router the engine routes through, or, when {@link
   * Builder#router} gave another router, the record of every split that router applied (its
   * timeline, exposure and violations; the engine reads splits back from the real router, and the
   * recording's {@link FakeRouter#failNextApplies} does not reach it).
   */
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
    private @Nullable ArtifactStore store;

    private Builder() {}

    /**
     * Runs the engine on any fleet instead of the {@link FakeFleet} (a provider under test, against
     * a real or simulated system), still behind the harness's crash switch: after {@link
     * #crashAfterRecords} the old engine reaches it no more. A recording wrapper keeps {@link
     * RolloutResult#fleetCalls()} and tells the router's recording which instances were retired.
     */
    public Builder fleet(Fleet fleet) {
      this.fleet = Objects.requireNonNull(fleet, "fleet");
      return this;
    }

    /**
     * Runs the engine on any router instead of the {@link FakeRouter}, behind the crash switch like
     * {@link #fleet(Fleet)}. A recording wrapper records every split it applies successfully, so
     * {@link RolloutResult#timeline()}, exposure and {@link RolloutResult#violations()} work as
     * with the fake; the engine reads splits back from the given router itself.
     */
    public Builder router(Router router) {
      this.router = Objects.requireNonNull(router, "router");
      return this;
    }

    /**
     * Runs the engine on any artifact store instead of the {@link InMemoryArtifactStore}. {@link
     * RolloutHarness#release(String, String)} then refuses (it pushes to the in-memory store):
     * build releases from artifacts your store resolves.
     */
    public Builder artifactStore(ArtifactStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Virtual start time. */
    public Builder startingAt(Instant start) {
      this.start = Objects.requireNonNull(start);
      return this;
    }

    /**
     * Registers a gate; a gate over any metric source (a provider under test, a real Prometheus) is
     * registered this way: build it over that source.
     */
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

    /**
     * Further engine settings (listeners, OpenTelemetry, default options, ...). Not for providers:
     * the harness has already set the engine's fleet, router, store and journal, and {@link
     * Cutover.Builder} refuses a second one ("router was already set"); give them to {@link
     * #fleet}, {@link #router} and {@link #artifactStore} instead.
     */
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
