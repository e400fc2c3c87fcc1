// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator.sizing;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.spi.HealthGate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * What-if canary sizing: simulates a plan's own steps and gates under virtual time with synthetic
 * traffic, over many seeded runs, and reports how likely and how fast the rollout catches an
 * injected regression, how many requests the bad release serves meanwhile, how often a healthy
 * release is aborted, and ({@link #recommend}) the cheapest first weight, analysis count and
 * interval that reach a detection target.
 *
 * <pre>{@code
 * WhatIfReport report = WhatIf.builder(plan)
 *     .gates(metrics -> Map.of("success-rate",
 *         ThresholdGate.successRate("success-rate", metrics, QueryDialect.PROMETHEUS, 0.99).build()))
 *     .traffic(new Traffic(50, 0.005, Duration.ofMillis(200)))
 *     .regression(Regression.parse("+2% errors"))
 *     .runs(2_000)
 *     .seed(42)
 *     .build()
 *     .run(SizingTarget.defaults());
 * System.out.print(report.toText());
 * }</pre>
 *
 * <p><b>Model.</b> The gates are the real ones, built on a {@link SyntheticMetrics} that answers
 * their queries from binomial request counts; the steps are walked with the engine's analysis
 * semantics (see docs/sizing.md for what is and is not modeled). The same seed gives the same
 * report.
 *
 * <p><b>Threading.</b> Not thread-safe: one {@link #run} at a time. No I/O, no clock, no sleeping.
 *
 * <p><b>Errors.</b> {@link Builder#build()} throws {@link InvalidSpecException} for bad settings.
 */
public final class WhatIf {
  /** Where virtual time starts; any instant works, a fixed one keeps runs reproducible. */
  static final Instant ORIGIN = Instant.parse("2030-01-01T00:00:00Z");

  private static final double[] WEIGHTS = {1, 2, 5, 10, 20, 25, 50};
  private static final Duration[] INTERVALS = {
    Duration.ofSeconds(30),
    Duration.ofMinutes(1),
    Duration.ofMinutes(2),
    Duration.ofMinutes(5),
    Duration.ofMinutes(10)
  };
  private static final int MAX_COUNT = 10;

  private final Plan plan;
  private final Traffic traffic;
  private final Regression regression;
  private final int runs;
  private final int recommendRuns;
  private final long seed;
  private final SyntheticMetrics metrics;
  private final Map<String, HealthGate> gates;
  private final List<String> notes;

  private WhatIf(Builder b, Function<SyntheticMetrics, Map<String, HealthGate>> gateFactory) {
    this.plan = b.plan;
    this.traffic = b.traffic;
    this.regression = b.regression;
    this.runs = b.runs;
    this.recommendRuns = b.recommendRuns;
    this.seed = b.seed;
    Release stable = plan.stable();
    this.metrics =
        new SyntheticMetrics(
            ORIGIN, traffic, plan.target().id(), stable == null ? null : stable.id());
    this.gates = Map.copyOf(gateFactory.apply(metrics));
    List<String> n = new ArrayList<>(b.notes);
    List<String> missing = new ArrayList<>();
    for (Step s : plan.steps()) {
      if (s instanceof Step.Verify v) {
        for (String g : v.gates()) {
          if (!gates.containsKey(g) && !missing.contains(g)) {
            missing.add(g);
          }
        }
      }
    }
    if (!missing.isEmpty()) {
      n.add("gates " + missing + " are not modeled: treated as always passing");
    }
    if (stable == null) {
      n.add("first deployment: no stable release to compare with (judges are inconclusive)");
    }
    this.notes = List.copyOf(n);
  }

  /** A what-if of {@code plan}; set the gates, the rest has defaults. */
  public static Builder builder(Plan plan) {
    return new Builder(plan);
  }

  /** The regression runs, the runs without regression, and the plan's healthy duration. */
  public WhatIfReport run() {
    return run(null);
  }

  /** As {@link #run()}, with a {@link #recommend recommendation} for {@code target} if not null. */
  public WhatIfReport run(@Nullable SizingTarget target) {
    RunResult[] bad =
        regression.kind() == Regression.Kind.NONE
            ? new RunResult[0]
            : simulate(plan, regression, runs, seed);
    RunResult[] healthy = simulate(plan, Regression.NONE, runs, seed ^ 0x5DEECE66DL);
    RunResult[] shown = bad.length > 0 ? bad : healthy;
    Batch b = new Batch(shown);
    Batch h = new Batch(healthy);
    List<WhatIfReport.StepDetection> byStep = new ArrayList<>();
    TreeMap<Integer, Integer> at = new TreeMap<>();
    for (RunResult r : shown) {
      if (r.outcome() == RunResult.Outcome.ABORTED) {
        at.merge(r.step(), 1, Integer::sum);
      }
    }
    at.forEach(
        (step, n) ->
            byStep.add(
                new WhatIfReport.StepDetection(
                    step + 1, plan.steps().get(step).describe(), (double) n / shown.length)));
    return new WhatIfReport(
        plan.strategy(),
        runs,
        seed,
        traffic,
        regression,
        b.share(RunResult.Outcome.ABORTED),
        b.share(RunResult.Outcome.PAUSED),
        byStep,
        b.detect(0.5),
        b.detect(0.95),
        b.rollback(0.5),
        b.rollback(0.95),
        b.requestsMean(),
        b.requestsQuantile(0.95),
        b.errorsMean(),
        b.errorsQuantile(0.95),
        h.share(RunResult.Outcome.ABORTED),
        h.share(RunResult.Outcome.PAUSED),
        nominalDuration(plan),
        notes,
        target == null ? null : recommend(target));
  }

  /**
   * The cheapest sizing of the plan's first canary step (the first route giving the candidate less
   * than all traffic, and the first foreground analysis after it) that detects {@code target}'s
   * regression with the target probability within its time budget. Searches first weights 1–50 %,
   * analysis counts 1–10 and intervals 30 s–10 min, screening each with the builder's {@code
   * recommendRuns} runs, then measures the chosen one with {@code runs} runs.
   */
  public Recommendation recommend(SizingTarget target) {
    int route = -1;
    int verify = -1;
    List<Step> steps = plan.steps();
    String id = plan.target().id();
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      if (route < 0
          && s instanceof Step.Route r
          && r.split().weight(id) > 0
          && r.split().weight(id) < TrafficSplit.TOTAL) {
        route = i;
      } else if (route >= 0 && s instanceof Step.Route) {
        break;
      } else if (route >= 0 && s instanceof Step.Verify v && !v.background()) {
        verify = i;
        break;
      }
    }
    if (route < 0 || verify < 0) {
      return Recommendation.none(
          target,
          "nothing to size: the plan has no step giving the new release part of the traffic"
              + " followed by an analysis (a canary step)");
    }
    Release stable = plan.stable();
    if (stable == null) {
      return Recommendation.none(target, "nothing to size: a first deployment has no canary");
    }
    Plan best = null;
    double bestCost = Double.POSITIVE_INFINITY;
    long bestDuration = Long.MAX_VALUE;
    int screened = 0;
    long screenSeed = seed ^ 0x2545F4914F6CDD1DL;
    for (double w : WEIGHTS) {
      for (Duration interval : INTERVALS) {
        for (int count = 1; count <= MAX_COUNT; count++) {
          Plan p = sized(route, verify, stable, w, count, interval);
          long duration = nominalMillis(p);
          if (duration > target.timeBudget().toMillis()) {
            break;
          }
          screened++;
          Batch b = new Batch(simulate(p, target.regression(), recommendRuns, screenSeed));
          if (b.share(RunResult.Outcome.ABORTED) >= target.probability()) {
            double cost = b.requestsMean();
            if (cost < bestCost || (cost == bestCost && duration < bestDuration)) {
              best = p;
              bestCost = cost;
              bestDuration = duration;
            }
            break;
          }
        }
      }
    }
    String searched =
        screened
            + " sizings screened (first weight 1-50%, count 1-"
            + MAX_COUNT
            + ", interval 30s-10m) with "
            + recommendRuns
            + " runs each";
    if (best == null) {
      return Recommendation.none(
          target,
          "no sizing reaches it: "
              + searched
              + "; allow a longer time budget, a lower target, or a more sensitive gate");
    }
    Batch b = new Batch(simulate(best, target.regression(), runs, seed));
    Step.Route r = (Step.Route) best.steps().get(route);
    Step.Verify v = (Step.Verify) best.steps().get(verify);
    return new Recommendation(
        target,
        true,
        r.split().weight(id) / 100.0,
        v.count(),
        v.interval(),
        b.share(RunResult.Outcome.ABORTED),
        Duration.ofMillis(bestDuration),
        b.requestsMean(),
        b.requestsQuantile(0.95),
        b.errorsMean(),
        searched + "; the chosen one re-measured with " + runs + " runs",
        best);
  }

  private Plan sized(
      int route, int verify, Release stable, double weightPercent, int count, Duration interval) {
    List<Step> steps = new ArrayList<>(plan.steps());
    Step.Route r = (Step.Route) steps.get(route);
    int bp = (int) Math.round(weightPercent * 100);
    Map<String, Integer> weights = new LinkedHashMap<>();
    weights.put(stable.id(), TrafficSplit.TOTAL - bp);
    weights.put(plan.target().id(), bp);
    steps.set(route, new Step.Route(r.split().withWeights(weights)));
    Step.Verify v = (Step.Verify) steps.get(verify);
    steps.set(
        verify,
        new Step.Verify(
            v.gates(),
            v.dryRunGates(),
            v.initialDelay(),
            interval,
            count,
            v.failureLimit(),
            v.inconclusiveLimit(),
            v.consecutiveErrorLimit(),
            false));
    return Plan.of(plan.strategy(), stable, plan.target(), steps, plan.rollbackSteps());
  }

  private Duration nominalDuration(Plan p) {
    return Duration.ofMillis(nominalMillis(p));
  }

  private long nominalMillis(Plan p) {
    return new Walker(p, gates, metrics, ORIGIN)
        .run(new SplittableRandom(seed), Regression.NONE, true)
        .decidedMillis();
  }

  private RunResult[] simulate(Plan p, Regression r, int n, long batchSeed) {
    Walker w = new Walker(p, gates, metrics, ORIGIN);
    SplittableRandom master = new SplittableRandom(batchSeed);
    RunResult[] out = new RunResult[n];
    for (int i = 0; i < n; i++) {
      out[i] = w.run(master.split(), r, false);
    }
    return out;
  }

  /** Summary statistics of a batch of runs. */
  private static final class Batch {
    private final RunResult[] runs;

    Batch(RunResult[] runs) {
      this.runs = runs;
    }

    double share(RunResult.Outcome o) {
      if (runs.length == 0) {
        return 0;
      }
      long n = Arrays.stream(runs).filter(r -> r.outcome() == o).count();
      return (double) n / runs.length;
    }

    @Nullable Duration detect(double q) {
      return aborted(q, false);
    }

    @Nullable Duration rollback(double q) {
      return aborted(q, true);
    }

    private @Nullable Duration aborted(double q, boolean rollback) {
      double[] t =
          Arrays.stream(runs)
              .filter(r -> r.outcome() == RunResult.Outcome.ABORTED)
              .mapToDouble(r -> rollback ? r.rolledBackMillis() : r.decidedMillis())
              .toArray();
      return t.length == 0 ? null : Duration.ofMillis((long) quantile(t, q));
    }

    double requestsMean() {
      return Arrays.stream(runs).mapToDouble(RunResult::badRequests).average().orElse(0);
    }

    double requestsQuantile(double q) {
      return Math.round(
          quantile(Arrays.stream(runs).mapToDouble(RunResult::badRequests).toArray(), q));
    }

    double errorsMean() {
      return Arrays.stream(runs).mapToDouble(RunResult::badErrors).average().orElse(0);
    }

    double errorsQuantile(double q) {
      return quantile(Arrays.stream(runs).mapToDouble(RunResult::badErrors).toArray(), q);
    }

    /** Nearest-rank quantile; 0 for no values. */
    private static double quantile(double[] values, double q) {
      if (values.length == 0) {
        return 0;
      }
      double[] s = values.clone();
      Arrays.sort(s);
      int rank = (int) Math.ceil(q * s.length);
      return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }
  }

  /** Builds a {@link WhatIf}. Not thread-safe. */
  public static final class Builder {
    private final Plan plan;
    private Traffic traffic = Traffic.defaults();
    private Regression regression = Regression.errors(1);
    private int runs = 2_000;
    private int recommendRuns = 400;
    private long seed = 1;
    private @Nullable Function<SyntheticMetrics, Map<String, HealthGate>> gates;
    private final List<String> notes = new ArrayList<>();

    private Builder(Plan plan) {
      this.plan = Objects.requireNonNull(plan, "plan");
    }

    /**
     * The gates by name, built on the run's synthetic metric source (gates the plan names but this
     * map lacks are treated as always passing, and the report says so).
     */
    public Builder gates(Function<SyntheticMetrics, Map<String, HealthGate>> factory) {
      this.gates = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /** The synthetic traffic; default {@link Traffic#defaults()}. */
    public Builder traffic(Traffic traffic) {
      this.traffic = Objects.requireNonNull(traffic, "traffic");
      return this;
    }

    /** The injected regression; default +1 % errors. */
    public Builder regression(Regression regression) {
      this.regression = Objects.requireNonNull(regression, "regression");
      return this;
    }

    /** Runs per batch (with and without the regression); default 2,000. */
    public Builder runs(int runs) {
      this.runs = runs;
      return this;
    }

    /** Runs per sizing screened by {@link WhatIf#recommend}; default 400. */
    public Builder recommendRuns(int runs) {
      this.recommendRuns = runs;
      return this;
    }

    /** The seed; the same seed gives the same report. Default 1. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** A line the report carries among its notes (what an adapter assumed). */
    public Builder note(String note) {
      notes.add(Objects.requireNonNull(note, "note"));
      return this;
    }

    /**
     * Builds it, building the gates once.
     *
     * @throws InvalidSpecException if runs are not in 1..1,000,000 or the gates are missing
     */
    public WhatIf build() {
      List<InvalidSpecException.Violation> v = new ArrayList<>();
      if (runs < 1 || runs > 1_000_000) {
        v.add(new InvalidSpecException.Violation("runs", "is " + runs, "use 1 to 1,000,000"));
      }
      if (recommendRuns < 1 || recommendRuns > 1_000_000) {
        v.add(
            new InvalidSpecException.Violation(
                "recommendRuns", "is " + recommendRuns, "use 1 to 1,000,000"));
      }
      if (gates == null) {
        v.add(
            new InvalidSpecException.Violation(
                "gates", "are not set", "build the plan's gates on the synthetic metrics"));
      }
      if (!v.isEmpty()) {
        throw new InvalidSpecException(v);
      }
      return new WhatIf(this, Objects.requireNonNull(gates));
    }
  }
}
