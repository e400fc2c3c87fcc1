// SPDX-License-Identifier: Apache-2.0
package io.cutover.api.plan;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.TrafficSplit;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One step of a {@link Plan}. The set of step kinds is closed (sealed) so the engine, the JSON
 * codec and every tool that prints plans handle all of them; strategies combine them. Each step
 * names releases by their {@link io.cutover.api.Release#id() id}, which must be one of the plan's
 * releases.
 *
 * <p>Every step is an immutable record validated at construction.
 */
public sealed interface Step {

  /**
   * The longest duration a step may name (a pause, a drain period, an analysis delay or interval):
   * 365 days. Longer values are refused at construction, so the engine's time arithmetic can never
   * overflow; a wait without a known end is a pause until approval.
   */
  Duration MAX_DURATION = Duration.ofDays(365);

  /** A short lowercase name of the kind, e.g. {@code route}; stable, used in JSON and journals. */
  String kind();

  /** One line for humans, e.g. {@code route app-1a2b 90.00% / app-3c4d 10.00%}. */
  String describe();

  /**
   * Start {@code replicas} new instances of a release and wait until they are ready. Idempotent:
   * the fleet receives a deterministic operation id.
   *
   * @param releaseId the release to launch
   * @param replicas how many instances, at least 1
   */
  record Launch(String releaseId, int replicas) implements Step {
    /** Validates the parts. */
    public Launch {
      requireId(releaseId, "launch.releaseId");
      if (replicas < 1) {
        throw new InvalidSpecException(
            "launch.replicas", "is " + replicas, "launch at least 1 replica");
      }
    }

    @Override
    public String kind() {
      return "launch";
    }

    @Override
    public String describe() {
      return "launch " + replicas + " x " + releaseId;
    }
  }

  /**
   * Apply a traffic split atomically and read it back.
   *
   * @param split the split to apply
   */
  record Route(TrafficSplit split) implements Step {
    /** Validates the split is present. */
    public Route {
      Objects.requireNonNull(split, "split");
    }

    @Override
    public String kind() {
      return "route";
    }

    @Override
    public String describe() {
      return "route " + split;
    }
  }

  /**
   * Evaluate health gates as an analysis run, with Argo Rollouts' semantics: the gates are measured
   * {@code count} times, {@code interval} apart, the first time after {@code initialDelay} (or
   * after one {@code interval} when there is no initial delay, so the first measurement never
   * judges an empty window; see {@code GateContext.windowStart()}). The run fails (and the rollout
   * aborts) when a gate's failures exceed {@code failureLimit} or its consecutive errors exceed
   * {@code consecutiveErrorLimit}; it pauses for a human when inconclusive results exceed {@code
   * inconclusiveLimit}. Dry-run gates are evaluated and recorded but never abort or pause. A
   * background verify starts the run and lets the plan go on; it keeps measuring across later steps
   * (until {@code count} measurements, or until the rollout ends when {@code count} is 0) and
   * aborts the rollout whenever it fails.
   *
   * @param gates names of the gates that decide
   * @param dryRunGates names of gates that are only recorded
   * @param initialDelay wait before the first measurement; 0 means one {@code interval}
   * @param interval wait between measurements
   * @param count number of measurements; 0 only for background runs (measure until the rollout
   *     ends)
   * @param failureLimit failures tolerated per gate (default 0: the first failure fails the run)
   * @param inconclusiveLimit inconclusive results tolerated per gate (default 0)
   * @param consecutiveErrorLimit consecutive errors tolerated per gate (default 4)
   * @param background whether the run continues across the following steps
   */
  record Verify(
      List<String> gates,
      List<String> dryRunGates,
      Duration initialDelay,
      Duration interval,
      int count,
      int failureLimit,
      int inconclusiveLimit,
      int consecutiveErrorLimit,
      boolean background)
      implements Step {

    /** Default {@code consecutiveErrorLimit}, as in Argo Rollouts. */
    public static final int DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;

    /** Validates every limit and copies the lists. */
    public Verify {
      gates = List.copyOf(gates);
      dryRunGates = List.copyOf(dryRunGates);
      Objects.requireNonNull(initialDelay, "initialDelay");
      Objects.requireNonNull(interval, "interval");
      if (gates.isEmpty() && dryRunGates.isEmpty()) {
        throw new InvalidSpecException(
            "verify.gates", "is empty", "name at least one gate to evaluate");
      }
      for (String g : gates) {
        requireId(g, "verify.gates");
      }
      for (String g : dryRunGates) {
        requireId(g, "verify.dryRunGates");
      }
      if (initialDelay.isNegative()) {
        throw new InvalidSpecException(
            "verify.initialDelay", "is negative (" + initialDelay + ")", "use 0 or more");
      }
      if (interval.isNegative()) {
        throw new InvalidSpecException(
            "verify.interval", "is negative (" + interval + ")", "use 0 or more");
      }
      requireBounded(initialDelay, "verify.initialDelay");
      requireBounded(interval, "verify.interval");
      if (count < 0 || (count == 0 && !background)) {
        throw new InvalidSpecException(
            "verify.count",
            "is " + count,
            "measure at least once; count 0 (until the rollout ends) is only for background analysis");
      }
      if ((count > 1 || count == 0) && interval.isZero()) {
        throw new InvalidSpecException(
            "verify.interval",
            "is 0 with " + (count == 0 ? "unbounded" : count) + " measurements",
            "give an interval between measurements, e.g. 30s");
      }
      if (failureLimit < 0) {
        throw new InvalidSpecException(
            "verify.failureLimit", "is " + failureLimit, "use 0 or more");
      }
      if (inconclusiveLimit < 0) {
        throw new InvalidSpecException(
            "verify.inconclusiveLimit", "is " + inconclusiveLimit, "use 0 or more");
      }
      if (consecutiveErrorLimit < 0) {
        throw new InvalidSpecException(
            "verify.consecutiveErrorLimit", "is " + consecutiveErrorLimit, "use 0 or more");
      }
    }

    /**
     * A builder deciding with the given gates; defaults: count 1, no delay, limits 0/0/4,
     * foreground.
     */
    public static Builder gates(String... gates) {
      return new Builder(List.of(gates));
    }

    @Override
    public String kind() {
      return "verify";
    }

    @Override
    public String describe() {
      StringBuilder sb = new StringBuilder(background ? "verify (background) " : "verify ");
      sb.append(String.join(",", gates));
      if (!dryRunGates.isEmpty()) {
        sb.append(" dry-run:").append(String.join(",", dryRunGates));
      }
      sb.append(count == 0 ? " until end" : " x" + count);
      if (!interval.isZero()) {
        sb.append(" every ").append(Plan.human(interval));
      }
      if (!initialDelay.isZero()) {
        sb.append(" after ").append(Plan.human(initialDelay));
      }
      sb.append(" limits f=")
          .append(failureLimit)
          .append(" i=")
          .append(inconclusiveLimit)
          .append(" e=")
          .append(consecutiveErrorLimit);
      return sb.toString();
    }

    /** Builds a {@link Verify}. Not thread-safe. */
    public static final class Builder {
      private final List<String> gates;
      private List<String> dryRunGates = List.of();
      private Duration initialDelay = Duration.ZERO;
      private Duration interval = Duration.ZERO;
      private int count = 1;
      private int failureLimit;
      private int inconclusiveLimit;
      private int consecutiveErrorLimit = DEFAULT_CONSECUTIVE_ERROR_LIMIT;
      private boolean background;

      private Builder(List<String> gates) {
        this.gates = gates;
      }

      /** Gates recorded but never deciding. */
      public Builder dryRun(String... gates) {
        this.dryRunGates = List.of(gates);
        return this;
      }

      /** Wait before the first measurement; default 0: one interval (at once if no interval). */
      public Builder initialDelay(Duration d) {
        this.initialDelay = d;
        return this;
      }

      /** Wait between measurements. */
      public Builder interval(Duration d) {
        this.interval = d;
        return this;
      }

      /** Number of measurements. */
      public Builder count(int n) {
        this.count = n;
        return this;
      }

      /** Failures tolerated per gate. */
      public Builder failureLimit(int n) {
        this.failureLimit = n;
        return this;
      }

      /** Inconclusive results tolerated per gate. */
      public Builder inconclusiveLimit(int n) {
        this.inconclusiveLimit = n;
        return this;
      }

      /** Consecutive errors tolerated per gate. */
      public Builder consecutiveErrorLimit(int n) {
        this.consecutiveErrorLimit = n;
        return this;
      }

      /** Run in the background across the following steps. */
      public Builder background() {
        this.background = true;
        return this;
      }

      /** Builds and validates the step. */
      public Verify build() {
        return new Verify(
            gates,
            dryRunGates,
            initialDelay,
            interval,
            count,
            failureLimit,
            inconclusiveLimit,
            consecutiveErrorLimit,
            background);
      }
    }
  }

  /**
   * Wait: for a fixed time, or (duration null) until a human approves through the API.
   *
   * @param duration how long to wait, or null to wait for approval
   */
  record Pause(@Nullable Duration duration) implements Step {
    /** Validates the duration. */
    public Pause {
      if (duration != null && (duration.isNegative() || duration.isZero())) {
        throw new InvalidSpecException(
            "pause.duration",
            "is " + duration,
            "use a positive duration, or no duration to wait for approval");
      }
      if (duration != null) {
        requireBounded(duration, "pause.duration");
      }
    }

    /** A pause that lasts {@code duration}. */
    public static Pause of(Duration duration) {
      return new Pause(Objects.requireNonNull(duration, "duration"));
    }

    /** A pause that lasts until approved. */
    public static Pause untilApproved() {
      return new Pause(null);
    }

    /** Whether the pause waits for a human. */
    public boolean untilApproval() {
      return duration == null;
    }

    @Override
    public String kind() {
      return "pause";
    }

    @Override
    public String describe() {
      return duration == null ? "pause until approved" : "pause " + Plan.human(duration);
    }
  }

  /**
   * Run a lifecycle hook: the named gate is evaluated with the phase and parameters ({@link
   * io.cutover.spi.GateContext#phase()}, {@link io.cutover.spi.GateContext#params()}). Any {@code
   * HealthGate} can be a hook. What the engine does with the verdict depends on the phase
   * (Flagger's webhook kinds; strategies place the steps with {@code LifecycleHooks}):
   *
   * <ul>
   *   <li>{@value #CONFIRM_ROLLOUT}, {@value #CONFIRM_TRAFFIC_INCREASE}, {@value
   *       #CONFIRM_PROMOTION}: PASS confirms and the plan continues; FAIL denies and the rollout
   *       aborts; anything else (not confirmed yet, or the gate could not answer) makes the rollout
   *       wait in state {@code WAITING}, showing the reason, and the gate is asked again every
   *       {@code interval}. A promote skips the wait, as it skips a pause.
   *   <li>{@value #POST_ROLLOUT}: evaluated once; a verdict other than PASS is journaled and
   *       reported (event, log), never rolls anything back.
   *   <li>{@value #ROLLOUT}, {@value #ROLLBACK}, {@value #EVENT}: rollout-wide hooks, in effect for
   *       the whole rollout wherever the step sits (the step itself completes at once): a rollout
   *       hook is evaluated with every analysis measurement and counts like the analysis' gates; a
   *       rollback hook is polled every {@code interval} while the rollout runs (WAITING and PAUSED
   *       included) and its FAIL ("roll back", what {@code WebhookGate} answers when the receiver
   *       asks for a rollback) aborts the rollout; an event hook is told every event of the
   *       rollout, fire-and-forget, with bounded retries.
   *   <li>{@value #WARM_UP}: per-instance, in effect for the whole rollout wherever the step sits
   *       (the step itself completes at once). Every instance a forward launch or scale step starts
   *       is evaluated (its {@link io.cutover.spi.GateContext#candidateInstances()} is that one
   *       instance, parameter {@code instanceId} names it) before it counts as READY: routers are
   *       not given it and gates do not judge it until the hook passes. Asked again every {@code
   *       interval} while the answer is neither PASS nor FAIL; a FAIL, or no PASS within {@code
   *       deadline} of the launch, fails the step and aborts the rollout. Rollback steps skip it: a
   *       rollback restores the known-good release as fast as it can and no hook may hold it.
   *   <li>{@value #PRE_STOP}: per-instance, in effect for the whole rollout: evaluated once for
   *       every instance before a retire step (or a scale down) stops it, all instances at once; a
   *       verdict other than PASS is journaled and reported (a {@code GATE_VERDICT} event, a log
   *       line), and the instance is stopped anyway, so that a broken hook can never keep an old
   *       release running nor block a rollback.
   *   <li>{@value #PRE_ROLLOUT} and any other phase: evaluated once; anything but PASS aborts.
   * </ul>
   *
   * <p>In a rollback step list a hook is evaluated once and never fails the rollback.
   *
   * @param gate name of the gate that implements the hook
   * @param phase the lifecycle phase, e.g. {@code pre-rollout}, passed to the gate
   * @param params parameters passed to the gate
   * @param interval how often a confirm hook that has not confirmed, a rollback hook, or a warm-up
   *     hook that has not passed yet, is asked again; positive, at most {@link Step#MAX_DURATION}
   * @param deadline for a warm-up hook, how long after its launch an instance has to pass it;
   *     ignored by the other phases; positive, at most {@link Step#MAX_DURATION}
   */
  record Hook(
      String gate, String phase, Map<String, String> params, Duration interval, Duration deadline)
      implements Step {
    /** Phase of a hook asked before the first side effect; the rollout waits until it confirms. */
    public static final String CONFIRM_ROLLOUT = "confirm-rollout";

    /** Phase of a hook run before traffic first reaches the target; failure aborts. */
    public static final String PRE_ROLLOUT = "pre-rollout";

    /** Phase of a hook evaluated with every analysis measurement. */
    public static final String ROLLOUT = "rollout";

    /** Phase of a hook asked before each traffic increase; the rollout waits until it confirms. */
    public static final String CONFIRM_TRAFFIC_INCREASE = "confirm-traffic-increase";

    /** Phase of a hook asked before the final promotion; the rollout waits until it confirms. */
    public static final String CONFIRM_PROMOTION = "confirm-promotion";

    /** Phase of a hook run after the last step; failure is reported only. */
    public static final String POST_ROLLOUT = "post-rollout";

    /** Phase of a hook polled during the rollout; its FAIL aborts. */
    public static final String ROLLBACK = "rollback";

    /** Phase of a hook told every event of the rollout. */
    public static final String EVENT = "event";

    /**
     * Phase of a hook each launched instance must pass before it counts as READY; a FAIL or the
     * deadline aborts.
     */
    public static final String WARM_UP = "warm-up";

    /** Phase of a hook run for each instance before it is stopped; failure is reported only. */
    public static final String PRE_STOP = "pre-stop";

    /** Default {@code interval}: one minute, Flagger's default analysis interval. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

    /** Default {@code deadline} of a warm-up hook: five minutes. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(5);

    /** Validates and copies. */
    public Hook {
      requireId(gate, "hook.gate");
      requireId(phase, "hook.phase");
      params = Map.copyOf(params);
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative() || interval.isZero()) {
        throw new InvalidSpecException(
            "hook.interval", "is " + interval, "use a positive duration, e.g. 30s");
      }
      requireBounded(interval, "hook.interval");
      Objects.requireNonNull(deadline, "deadline");
      if (deadline.isNegative() || deadline.isZero()) {
        throw new InvalidSpecException(
            "hook.deadline", "is " + deadline, "use a positive duration, e.g. 2m");
      }
      requireBounded(deadline, "hook.deadline");
    }

    /** A hook with the {@link #DEFAULT_DEADLINE} (which only warm-up hooks use). */
    public Hook(String gate, String phase, Map<String, String> params, Duration interval) {
      this(gate, phase, params, interval, DEFAULT_DEADLINE);
    }

    /** A hook asked again every {@link #DEFAULT_INTERVAL} (where the phase asks again). */
    public Hook(String gate, String phase, Map<String, String> params) {
      this(gate, phase, params, DEFAULT_INTERVAL);
    }

    /** Whether the phase is a confirm-* phase: the rollout waits until the gate passes. */
    public boolean confirms() {
      return phase.equals(CONFIRM_ROLLOUT)
          || phase.equals(CONFIRM_TRAFFIC_INCREASE)
          || phase.equals(CONFIRM_PROMOTION);
    }

    /**
     * Whether the hook is in effect for the whole rollout (rollout, rollback, event, and the
     * per-instance warm-up and pre-stop).
     */
    public boolean rolloutWide() {
      return phase.equals(ROLLOUT)
          || phase.equals(ROLLBACK)
          || phase.equals(EVENT)
          || phase.equals(WARM_UP)
          || phase.equals(PRE_STOP);
    }

    @Override
    public String kind() {
      return "hook";
    }

    @Override
    public String describe() {
      return "hook "
          + phase
          + " via "
          + gate
          + (params.isEmpty() ? "" : " " + new TreeMap<>(params))
          + ((confirms() || phase.equals(ROLLBACK) || phase.equals(WARM_UP))
                  && !interval.equals(DEFAULT_INTERVAL)
              ? " every " + Plan.human(interval)
              : "")
          + (phase.equals(WARM_UP) ? " within " + Plan.human(deadline) : "");
    }
  }

  /**
   * A database migration of the expand/contract pattern, run by the named gate (any {@code
   * HealthGate} that performs it: {@link io.cutover.spi.GateContext#phase()} is {@code expand} or
   * {@code contract}, the parameters say what to migrate, and {@code operationId} in the parameters
   * identifies the run so the gate can be idempotent). A migration is a side effect: the engine
   * journals its intent before and its outcome after, like a launch, and never runs it again once
   * DONE, even after a restart.
   *
   * <p>{@code expand} (add the new schema, keep the old one working) must come before the target
   * takes traffic; anything but PASS aborts the rollout. {@code contract} (remove what only the old
   * release needed) must come after the stable release is retired; rollback steps never hold a
   * migration, so a contract never runs for an aborted rollout. A failed contract is reported and
   * the rollout still succeeds (the old release is gone: rolling back to it is no longer possible),
   * to be repaired and run again by hand. The engine checks both placements before the rollout
   * starts.
   *
   * @param gate name of the gate that runs the migration
   * @param phase {@value #EXPAND} or {@value #CONTRACT}
   * @param params parameters passed to the gate
   */
  record Migration(String gate, String phase, Map<String, String> params) implements Step {
    /** The phase that adds what the new release needs, before it takes traffic. */
    public static final String EXPAND = "expand";

    /** The phase that removes what only the old release needed, after it is retired. */
    public static final String CONTRACT = "contract";

    /** Validates and copies. */
    public Migration {
      requireId(gate, "migration.gate");
      if (!EXPAND.equals(phase) && !CONTRACT.equals(phase)) {
        throw new InvalidSpecException(
            "migration.phase", "is '" + phase + "'", "use expand or contract");
      }
      params = Map.copyOf(params);
    }

    /** An expand migration run by {@code gate}. */
    public static Migration expand(String gate, Map<String, String> params) {
      return new Migration(gate, EXPAND, params);
    }

    /** A contract migration run by {@code gate}. */
    public static Migration contract(String gate, Map<String, String> params) {
      return new Migration(gate, CONTRACT, params);
    }

    @Override
    public String kind() {
      return "migration";
    }

    @Override
    public String describe() {
      return "migration "
          + phase
          + " via "
          + gate
          + (params.isEmpty() ? "" : " " + new TreeMap<>(params));
    }
  }

  /**
   * Stop every instance of a release. Routers must already send it no traffic.
   *
   * @param releaseId the release to retire
   */
  record Retire(String releaseId) implements Step {
    /** Validates the id. */
    public Retire {
      requireId(releaseId, "retire.releaseId");
    }

    @Override
    public String kind() {
      return "retire";
    }

    @Override
    public String describe() {
      return "retire " + releaseId;
    }
  }

  /**
   * Set the number of instances of a release (launching or stopping the difference).
   *
   * @param releaseId the release
   * @param replicas the target count, 0 or more
   */
  record Scale(String releaseId, int replicas) implements Step {
    /** Validates the parts. */
    public Scale {
      requireId(releaseId, "scale.releaseId");
      if (replicas < 0) {
        throw new InvalidSpecException("scale.replicas", "is " + replicas, "use 0 or more");
      }
    }

    @Override
    public String kind() {
      return "scale";
    }

    @Override
    public String describe() {
      return "scale " + releaseId + " to " + replicas;
    }
  }

  /**
   * Let a release that no longer receives traffic finish its requests: its instances are marked
   * draining, and the step waits {@code period} (a scale-down delay) before the plan continues.
   *
   * @param releaseId the release to drain
   * @param period how long to wait for in-flight work, 0 or more
   */
  record Drain(String releaseId, Duration period) implements Step {
    /** Validates the parts. */
    public Drain {
      requireId(releaseId, "drain.releaseId");
      Objects.requireNonNull(period, "period");
      if (period.isNegative()) {
        throw new InvalidSpecException(
            "drain.period", "is negative (" + period + ")", "use 0 or more");
      }
      requireBounded(period, "drain.period");
    }

    @Override
    public String kind() {
      return "drain";
    }

    @Override
    public String describe() {
      return "drain " + releaseId + (period.isZero() ? "" : " for " + Plan.human(period));
    }
  }

  private static void requireBounded(Duration d, String field) {
    if (d.compareTo(MAX_DURATION) > 0) {
      throw new InvalidSpecException(
          field,
          "is " + d + ", longer than the maximum 365d (Step.MAX_DURATION)",
          "use at most 365d; to wait longer or without a known end, pause until approval (no"
              + " duration) and resume the rollout by hand");
    }
  }

  private static void requireId(@Nullable String value, String field) {
    if (value == null || value.isBlank()) {
      throw new InvalidSpecException(field, "is missing", "name it");
    }
  }
}
