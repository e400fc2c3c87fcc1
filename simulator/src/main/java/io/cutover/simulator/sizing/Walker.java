// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator.sizing;

import io.cutover.api.Release;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * Walks a plan's steps under virtual time for one run, with the engine's analysis semantics (Argo
 * Rollouts'): measurements {@code interval} apart (the first after {@code initialDelay}, or one
 * interval), windows from the previous measurement, a gate failing the run past {@code
 * failureLimit} failures or {@code consecutiveErrorLimit} consecutive errors, pausing it past
 * {@code inconclusiveLimit} inconclusive results; dry-run gates ignored; background analyses
 * measuring across the following steps. Launches, scaling and retiring take no time; a pause for
 * approval is approved at once. Not thread-safe.
 */
final class Walker {
  private final Plan plan;
  private final Map<String, HealthGate> gates;
  private final SyntheticMetrics metrics;
  private final Instant origin;
  private final long rollbackDelayMillis;
  private long now;
  private int stepIndex;
  private final List<Analysis> background = new ArrayList<>();

  Walker(Plan plan, Map<String, HealthGate> gates, SyntheticMetrics metrics, Instant origin) {
    this.plan = plan;
    this.gates = gates;
    this.metrics = metrics;
    this.origin = origin;
    this.rollbackDelayMillis = rollbackDelay(plan);
  }

  /** The waits of the rollback steps before traffic returns to the stable release. */
  private static long rollbackDelay(Plan plan) {
    long d = 0;
    for (Step s : plan.rollbackSteps()) {
      if (s instanceof Step.Route) {
        break;
      }
      if (s instanceof Step.Pause p && p.duration() != null) {
        d += p.duration().toMillis();
      } else if (s instanceof Step.Drain dr) {
        d += dr.period().toMillis();
      }
    }
    return d;
  }

  /** One run with {@code regression}; {@code passAll} replaces every verdict by PASS. */
  RunResult run(SplittableRandom random, Regression regression, boolean passAll) {
    metrics.reset(random, regression);
    now = 0;
    background.clear();
    String target = plan.target().id();
    List<Step> steps = plan.steps();
    for (stepIndex = 0; stepIndex < steps.size(); stepIndex++) {
      Step step = steps.get(stepIndex);
      RunResult.Outcome stop = null;
      if (step instanceof Step.Route r) {
        metrics.route(now, r.split().weight(target));
      } else if (step instanceof Step.Verify v) {
        Analysis a = new Analysis(v, now, passAll);
        if (v.background()) {
          background.add(a);
        } else {
          while (stop == null && !a.done()) {
            stop = advance(a.nextAt());
            if (stop == null) {
              stop = a.measure();
            }
          }
        }
      } else if (step instanceof Step.Pause p && p.duration() != null) {
        stop = advance(now + p.duration().toMillis());
      } else if (step instanceof Step.Drain d) {
        stop = advance(now + d.period().toMillis());
      }
      if (stop != null) {
        return ended(stop, random);
      }
    }
    return ended(RunResult.Outcome.COMPLETED, random);
  }

  private RunResult ended(RunResult.Outcome outcome, SplittableRandom random) {
    long back = outcome == RunResult.Outcome.ABORTED ? now + rollbackDelayMillis : now;
    double served = metrics.candidateRequests(back);
    long errors = Binomial.sample(random, Math.round(served), metrics.candidateErrorRate());
    return new RunResult(
        outcome,
        outcome == RunResult.Outcome.COMPLETED ? -1 : stepIndex,
        now,
        back,
        served,
        errors);
  }

  /** Moves time to {@code to}, taking the background measurements due on the way. */
  private RunResult.@Nullable Outcome advance(long to) {
    while (true) {
      Analysis next = null;
      for (Analysis a : background) {
        if (!a.done() && a.nextAt() <= to && (next == null || a.nextAt() < next.nextAt())) {
          next = a;
        }
      }
      if (next == null) {
        now = Math.max(now, to);
        return null;
      }
      now = Math.max(now, next.nextAt());
      RunResult.Outcome stop = next.measure();
      if (stop != null) {
        return stop;
      }
    }
  }

  /** One verify step's measurements and tallies. */
  private final class Analysis {
    private final Step.Verify verify;
    private final boolean passAll;
    private long windowStart;
    private long nextAt;
    private int taken;
    private final Map<String, int[]> tallies = new HashMap<>(); // failures, inconclusive, errors

    Analysis(Step.Verify verify, long startedAt, boolean passAll) {
      this.verify = verify;
      this.passAll = passAll;
      this.windowStart = startedAt;
      Duration first = verify.initialDelay().isZero() ? verify.interval() : verify.initialDelay();
      this.nextAt = startedAt + first.toMillis();
    }

    boolean done() {
      return verify.count() > 0 && taken >= verify.count();
    }

    long nextAt() {
      return nextAt;
    }

    RunResult.@Nullable Outcome measure() {
      taken++;
      Release stable = plan.stable();
      GateContext.Builder b =
          GateContext.builder()
              .rolloutId("what-if")
              .service(plan.service())
              .candidate(plan.target())
              .windowStart(origin.plusMillis(windowStart))
              .now(origin.plusMillis(now))
              .measurement(taken);
      if (stable != null) {
        b.stable(stable);
      }
      GateContext ctx = b.build();
      windowStart = now;
      nextAt = now + verify.interval().toMillis();
      RunResult.Outcome result = null;
      for (String name : verify.gates()) {
        HealthGate gate = gates.get(name);
        Verdict.Outcome o =
            passAll || gate == null ? Verdict.Outcome.PASS : gate.evaluate(ctx).outcome();
        int[] t = tallies.computeIfAbsent(name, k -> new int[3]);
        switch (o) {
          case FAIL -> t[0]++;
          case INCONCLUSIVE -> t[1]++;
          case ERROR -> t[2]++;
          case PASS -> t[2] = 0;
        }
        if (o != Verdict.Outcome.ERROR && o != Verdict.Outcome.PASS) {
          t[2] = 0;
        }
        if (t[0] > verify.failureLimit() || t[2] > verify.consecutiveErrorLimit()) {
          return RunResult.Outcome.ABORTED;
        }
        if (t[1] > verify.inconclusiveLimit() && result == null) {
          result = RunResult.Outcome.PAUSED;
        }
      }
      return result;
    }
  }
}
