// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.api.Verdict;
import io.cutover.api.plan.Step;
import io.cutover.core.internal.schema.JournalPayload.GateVerdict;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One analysis run of a {@link Step.Verify} step, with Argo Rollouts' limits: measure every
 * interval, count each deciding gate's failures, inconclusives and consecutive errors, and decide
 * (abort, pause, pass, or measure again). Lives on the rollout's mailbox.
 *
 * <p>A run restored after a restart ({@link #begin}) counts the verdicts the journal holds and
 * measures next when it would have without the restart.
 */
final class AnalysisRun {

  /** What a run's outcome means for its rollout. Called on the mailbox. */
  interface Host {
    /** A gate went over its failure or consecutive-error limit. */
    void failed(AnalysisRun run, String why);

    /** A gate went over its inconclusive limit. */
    void inconclusive(AnalysisRun run, String why);

    /** The run reached its count without going over a limit. */
    void passed(AnalysisRun run);
  }

  /**
   * One deciding gate's counts.
   *
   * @param failures FAIL verdicts so far
   * @param inconclusives INCONCLUSIVE verdicts so far
   * @param consecutiveErrors ERROR verdicts since the last verdict that was not an error
   */
  record Counters(int failures, int inconclusives, int consecutiveErrors) {
    static final Counters ZERO = new Counters(0, 0, 0);

    /** The counts after one more verdict. */
    Counters after(Verdict.Outcome outcome) {
      return switch (outcome) {
        case PASS -> consecutiveErrors == 0 ? this : new Counters(failures, inconclusives, 0);
        case FAIL -> new Counters(failures + 1, inconclusives, 0);
        case INCONCLUSIVE -> new Counters(failures, inconclusives + 1, 0);
        case ERROR -> new Counters(failures, inconclusives, consecutiveErrors + 1);
      };
    }
  }

  /** A verdict read back from the journal, with the time it was journaled. */
  record Recorded(GateVerdict verdict, Instant time) {}

  private final EngineContext ctx;
  private final RolloutMailbox mailbox;
  private final Host host;
  private final Verdicts verdicts;
  private final ProgressWatchdog watchdog;
  private final Step.Verify verify;
  private final int step;

  /** Rollout hooks ({@link Step.Hook#ROLLOUT}): evaluated with every measurement, deciding. */
  private final List<Step.Hook> rolloutHooks;

  /** Per deciding gate, in the verify's gate order. */
  private final Map<String, Counters> counters = new LinkedHashMap<>();

  private final Map<String, List<String>> lastReasons = new HashMap<>();
  private int measurements;
  private boolean stopped;
  private Instant windowStart;
  private @Nullable ScheduledFuture<?> next;

  AnalysisRun(
      EngineContext ctx,
      RolloutMailbox mailbox,
      Host host,
      Verdicts verdicts,
      ProgressWatchdog watchdog,
      Step.Verify verify,
      int step,
      List<Step.Hook> rolloutHooks) {
    this.ctx = ctx;
    this.mailbox = mailbox;
    this.host = host;
    this.verdicts = verdicts;
    this.watchdog = watchdog;
    this.verify = verify;
    this.step = step;
    this.rolloutHooks = rolloutHooks;
    this.windowStart = ctx.clock().instant();
    for (String g : verify.gates()) {
      counters.put(g, Counters.ZERO);
    }
    for (Step.Hook h : rolloutHooks) {
      counters.put(h.gate(), Counters.ZERO);
    }
  }

  /** Whether it runs across steps instead of holding its own. */
  boolean background() {
    return verify.background();
  }

  /** A fresh run: first measurement after {@link #firstDelay}. */
  void start() {
    schedule(firstDelay(verify));
  }

  /**
   * When the first measurement comes, counted from the step's start: the initial delay, or one
   * interval when there is none, so that the first measurement judges a window of that length and
   * never the empty instant at which the step began (documented in {@code GateContext} and {@code
   * docs/gates.md}). Only a verify with neither (a one-shot check) measures at once.
   */
  static Duration firstDelay(Step.Verify verify) {
    return verify.initialDelay().isZero() ? verify.interval() : verify.initialDelay();
  }

  /**
   * Starts the run as of {@code startedAt}, counting {@code journaled} verdicts first: the next
   * measurement comes when it would have (for a fresh run, after {@link #firstDelay}), and a run
   * whose journaled verdicts already decide it decides at once.
   */
  void begin(List<Recorded> journaled, Instant startedAt) {
    Instant last = null;
    for (Recorded r : journaled) {
      GateVerdict v = r.verdict();
      if (!v.dryRun()) {
        count(v.gate(), v.outcome(), v.reasons());
      }
      measurements = Math.max(measurements, v.measurement());
      last = r.time();
    }
    windowStart = last == null ? startedAt : last;
    Instant due =
        last == null
            ? Times.plus(startedAt, firstDelay(verify))
            : Times.plus(last, verify.interval());
    String failure = failure();
    String inconclusive = failure == null ? inconclusive() : null;
    if (failure != null
        || inconclusive != null
        || (verify.count() != 0 && measurements >= verify.count())) {
      decide();
    } else {
      schedule(Duration.between(ctx.clock().instant(), due));
    }
  }

  void stop() {
    stopped = true;
    if (next != null) {
      next.cancel(false);
      next = null;
    }
  }

  private void count(String gate, Verdict.Outcome outcome, List<String> reasons) {
    Counters c = counters.get(gate);
    counters.put(gate, (c == null ? Counters.ZERO : c).after(outcome));
    lastReasons.put(gate, reasons);
  }

  private @Nullable String failure() {
    for (Map.Entry<String, Counters> e : counters.entrySet()) {
      Counters c = e.getValue();
      if (c.failures() > verify.failureLimit()) {
        return "gate "
            + e.getKey()
            + " failed "
            + c.failures()
            + " time(s), over failureLimit "
            + verify.failureLimit()
            + ": "
            + lastReasons.getOrDefault(e.getKey(), List.of());
      }
      if (c.consecutiveErrors() > verify.consecutiveErrorLimit()) {
        return "gate "
            + e.getKey()
            + " errored "
            + c.consecutiveErrors()
            + " consecutive time(s), over "
            + "consecutiveErrorLimit "
            + verify.consecutiveErrorLimit()
            + ": "
            + lastReasons.getOrDefault(e.getKey(), List.of());
      }
    }
    return null;
  }

  private @Nullable String inconclusive() {
    for (Map.Entry<String, Counters> e : counters.entrySet()) {
      if (e.getValue().inconclusives() > verify.inconclusiveLimit()) {
        return "gate "
            + e.getKey()
            + " was inconclusive "
            + e.getValue().inconclusives()
            + " time(s), over inconclusiveLimit "
            + verify.inconclusiveLimit()
            + ": "
            + lastReasons.getOrDefault(e.getKey(), List.of());
      }
    }
    return null;
  }

  private void schedule(Duration d) {
    if (!verify.background()) {
      watchdog.expectProgressBy(Times.plus(ctx.clock().instant(), d));
    }
    if (d.isZero() || d.isNegative()) {
      mailbox.execute(this::measure);
    } else {
      next =
          ctx.scheduler()
              .schedule(
                  () -> mailbox.executeFromTimer(this::measure),
                  Times.nanos(d),
                  TimeUnit.NANOSECONDS);
    }
  }

  private void measure() {
    if (stopped) {
      return;
    }
    next = null;
    measurements++;
    int n = measurements;
    Instant now = ctx.clock().instant();
    GateContext gc = verdicts.context(step, windowStart, now, n);
    windowStart = now;
    // deciding gates first (the step's, then the rollout hooks with their phase), then dry-run.
    // Arrays and indexed loops: this runs once per measurement of every rollout, and lists,
    // iterators and allOf for the usual single gate were a tenth of the engine's allocation.
    List<String> gates = verify.gates();
    List<String> dryRun = verify.dryRunGates();
    int deciding = gates.size() + rolloutHooks.size();
    int total = deciding + dryRun.size();
    String[] names = new String[total];
    GateContext[] contexts = new GateContext[total];
    int k = 0;
    for (int i = 0; i < gates.size(); i++, k++) {
      names[k] = gates.get(i);
      contexts[k] = gc;
    }
    for (int i = 0; i < rolloutHooks.size(); i++, k++) {
      Step.Hook h = rolloutHooks.get(i);
      names[k] = h.gate();
      contexts[k] = gc.toBuilder().phase(h.phase()).params(h.params()).build();
    }
    for (int i = 0; i < dryRun.size(); i++, k++) {
      names[k] = dryRun.get(i);
      contexts[k] = gc;
    }
    CompletableFuture<?>[] futures = new CompletableFuture<?>[total];
    for (int i = 0; i < total; i++) {
      futures[i] = evaluate(ctx, gate(ctx, names[i]), contexts[i]);
    }
    CompletableFuture<?> all = total == 1 ? futures[0] : CompletableFuture.allOf(futures);
    all.whenComplete((x, y) -> mailbox.execute(() -> record(names, futures, deciding, n)));
  }

  /** Journals and counts the verdicts of measurement {@code n} (all complete), then decides. */
  private void record(String[] names, CompletableFuture<?>[] futures, int deciding, int n) {
    if (stopped) {
      return;
    }
    for (int i = 0; i < names.length; i++) {
      // evaluate() turns every failure into an ERROR verdict: join does not throw
      Verdict v = (Verdict) futures[i].join();
      boolean dryRun = i >= deciding;
      verdicts.record(names[i], v, dryRun, step, n);
      if (!dryRun) {
        count(names[i], v.outcome(), v.reasons());
      }
    }
    if (!verify.background()) {
      watchdog.progressed(ctx.clock().instant());
    }
    decide();
  }

  /** Acts on the counters: abort, pause, finish, or schedule the next measurement. */
  private void decide() {
    String failure = failure();
    String inconclusive = failure == null ? inconclusive() : null;
    if (failure != null) {
      stop();
      host.failed(this, failure);
    } else if (inconclusive != null) {
      stop();
      host.inconclusive(this, inconclusive);
    } else if (verify.count() != 0 && measurements >= verify.count()) {
      stop();
      host.passed(this);
    } else {
      schedule(measurements == 0 ? firstDelay(verify) : verify.interval());
    }
  }

  /**
   * Evaluates one gate through the gates' resilient caller; a gate that throws or times out gives
   * ERROR.
   */
  /**
   * The registered gate named {@code name}; the plan validator checked every name before the
   * rollout started.
   */
  static HealthGate gate(EngineContext ctx, String name) {
    return Objects.requireNonNull(
        ctx.gates().get(name), () -> "gate '" + name + "' is not registered");
  }

  static CompletableFuture<Verdict> evaluate(EngineContext ctx, HealthGate gate, GateContext gc) {
    return ctx.gateCaller()
        .call(
            "evaluate " + gate.name(),
            () ->
                Objects.requireNonNull(
                    gate.evaluate(gc), () -> "gate " + gate.name() + " returned null"))
        .exceptionally(t -> Verdict.error(ResilientCaller.unwrap(t)));
  }
}
