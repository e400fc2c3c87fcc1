// SPDX-License-Identifier: Apache-2.0
package io.cutover.benchmarks;

import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.core.gate.NoDataPolicy;
import io.cutover.core.gate.QueryDialect;
import io.cutover.core.gate.ThresholdGate;
import io.cutover.core.judge.CanaryJudge;
import io.cutover.core.judge.CanaryJudgeGate;
import io.cutover.core.judge.CanaryMetric;
import io.cutover.core.judge.JudgeReport;
import io.cutover.simulator.sizing.Regression;
import io.cutover.simulator.sizing.Traffic;
import io.cutover.simulator.sizing.WhatIf;
import io.cutover.simulator.sizing.WhatIfReport;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Validates what-if sizing at full size (docs/sizing.md, "Validation"), with fixed seeds:
 *
 * <ul>
 *   <li>a success-rate threshold gate against the binomial closed form {@code 1 - F(floor(n(1-m));
 *       n, p)^c} (commons-math3's binomial CDF), for several window sizes, error rates, thresholds
 *       and counts, 10,000 runs each: {@code BENCH sizing.threshold_<case>_abs_error_pp}, which
 *       must stay within 2 percentage points;
 *   <li>a canary-judge gate on a +20 ms latency shift against the judge's own power (the real
 *       {@link CanaryJudge} called directly on samples drawn from the same law, 10,000 times), with
 *       the asymptotic (Noether) power of the one-sided Mann-Whitney test for reference;
 *   <li>the speed: simulated runs per second.
 * </ul>
 *
 * Exits with status 1 if a closed-form case is off by more than 2 percentage points (at 10,000
 * runs; fewer runs widen it to four standard errors, printed as {@code closed_form_tolerance_pp}).
 * The optional argument is the number of runs (default 10,000).
 */
public final class SizingBenchmark {
  private static final Release STABLE = release("1111");
  private static final Release CANDIDATE = release("2222");

  private SizingBenchmark() {}

  /** One closed-form case: rate and weight give {@code n} requests per one-minute window. */
  private record Case(
      String name, double rate, double percent, double p, double minimum, int count) {}

  public static void main(String[] args) {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    // Thresholds leave n(1 - m) fractional, so no case sits on a floating-point boundary.
    List<Case> cases =
        List.of(
            new Case("n60_p2.5_m96_c3", 20, 5, 0.025, 0.96, 3),
            new Case("n60_p1.5_m99_c1", 20, 5, 0.015, 0.99, 1),
            new Case("n300_p2_m97.5_c2", 50, 10, 0.02, 0.975, 2),
            new Case("n600_p1.2_m98.75_c2", 100, 10, 0.012, 0.9875, 2),
            new Case("n3000_p1.2_m98.95_c1", 500, 10, 0.012, 0.9895, 1));
    // 2 pp is the bound at 10,000 runs (four standard errors of a probability there, at
    // worst). Smaller runs, as in the test suite's smoke run, get four of their own standard
    // errors,
    // so a deterministic seed cannot fail on sampling noise alone.
    double tolerance = Math.max(2, 400 * Math.sqrt(0.25 / runs));
    boolean ok = true;
    long simulated = 0;
    long t0 = System.nanoTime();
    for (Case c : cases) {
      int n = (int) Math.round(c.rate() * c.percent() / 100 * 60);
      double healthy = 0.005;
      WhatIfReport r =
          WhatIf.builder(canary("sr", c.percent(), c.count()))
              .gates(
                  m ->
                      Map.of(
                          "sr",
                          ThresholdGate.successRate("sr", m, QueryDialect.PROMETHEUS, c.minimum())
                              .build()))
              .traffic(new Traffic(c.rate(), healthy, Duration.ofMillis(200)))
              .regression(Regression.errors((c.p() - healthy) * 100))
              .runs(runs)
              .seed(42)
              .build()
              .run();
      simulated += 2L * runs;
      int allowed = (int) Math.floor(n * (1 - c.minimum()) + 1e-9);
      double closed =
          1
              - Math.pow(
                  new BinomialDistribution(n, c.p()).cumulativeProbability(allowed), c.count());
      double closedFalse =
          1
              - Math.pow(
                  new BinomialDistribution(n, healthy).cumulativeProbability(allowed), c.count());
      double err = Math.abs(r.detectionProbability() - closed) * 100;
      double errFalse = Math.abs(r.falseAbortProbability() - closedFalse) * 100;
      ok &= err <= tolerance && errFalse <= tolerance;
      print("threshold_" + c.name() + "_simulated", r.detectionProbability(), "probability");
      print("threshold_" + c.name() + "_closed_form", closed, "probability");
      print("threshold_" + c.name() + "_abs_error_pp", err, "pp");
      print("threshold_" + c.name() + "_false_abort_abs_error_pp", errFalse, "pp");
    }
    // The judge: +20 ms on a 200 ms p95, 200 vs 1,800 requests per 10 s sample, 6 samples a side.
    CanaryJudge judge = CanaryJudge.builder().build();
    CanaryMetric metric =
        CanaryMetric.builder(
                "p95",
                "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket"
                    + "{release=\"{{release}}\"}[10s])))")
            .direction(CanaryMetric.Direction.INCREASE)
            .critical(true)
            .build();
    WhatIfReport jr =
        WhatIf.builder(canary("judge", 10, 1))
            .gates(
                m ->
                    Map.of(
                        "judge",
                        CanaryJudgeGate.of(
                            "judge",
                            m,
                            judge,
                            List.of(metric),
                            Duration.ofSeconds(10),
                            Duration.ZERO,
                            NoDataPolicy.INCONCLUSIVE)))
            .traffic(new Traffic(200, 0.001, Duration.ofMillis(200)))
            .regression(Regression.latency(20))
            .runs(runs)
            .seed(42)
            .build()
            .run();
    simulated += 2L * runs;
    double elapsed = (System.nanoTime() - t0) / 1e9;
    double density =
        Math.exp(-1.6448536269514722 * 1.6448536269514722 / 2)
            / (0.2 * Traffic.LATENCY_SIGMA * Math.sqrt(2 * Math.PI));
    double sdC = Math.sqrt(0.95 * 0.05 / 200) / density;
    double sdB = Math.sqrt(0.95 * 0.05 / 1800) / density;
    double power = judgePower(judge, metric, 0.020, sdC, sdB, runs);
    NormalDistribution z = new NormalDistribution();
    double theta = z.cumulativeProbability(0.020 / Math.sqrt(sdC * sdC + sdB * sdB));
    double mn = 36;
    double sd0 = Math.sqrt(mn * 13 / 12);
    double noether = z.cumulativeProbability((mn * (theta - 0.5) - 1.6448536269514722 * sd0) / sd0);
    print("judge_latency20ms_simulated", jr.detectionProbability(), "probability");
    print("judge_latency20ms_judge_own_power", power, "probability");
    print(
        "judge_latency20ms_abs_error_pp", Math.abs(jr.detectionProbability() - power) * 100, "pp");
    print("judge_latency20ms_noether_asymptotic_power", noether, "probability");
    print("runs_per_second", simulated / elapsed, "runs/s");
    print("closed_form_tolerance_pp", tolerance, "pp");
    print("closed_form_within_tolerance", ok ? 1 : 0, "bool");
    if (!ok) {
      System.exit(1);
    }
  }

  private static double judgePower(
      CanaryJudge judge, CanaryMetric metric, double shift, double sdC, double sdB, int trials) {
    Random r = new Random(43);
    int fails = 0;
    for (int t = 0; t < trials; t++) {
      double[] c = new double[6];
      double[] b = new double[6];
      for (int i = 0; i < 6; i++) {
        c[i] = 0.2 + shift + sdC * r.nextGaussian();
        b[i] = 0.2 + sdB * r.nextGaussian();
      }
      JudgeReport rep = judge.judge(List.of(new CanaryJudge.Input(metric, c, b)));
      if (rep.classification() == JudgeReport.Classification.FAIL) {
        fails++;
      }
    }
    return (double) fails / trials;
  }

  private static void print(String name, double value, String unit) {
    System.out.printf(Locale.ROOT, "BENCH sizing.%s %.4f %s%n", name, value, unit);
  }

  private static Release release(String hex) {
    return Release.of(
        "shop", ArtifactRef.parse("example/shop@sha256:" + hex.repeat(16)), ConfigRef.of(Map.of()));
  }

  /** Route {@code percent} to the candidate, analyse {@code count} times every minute. */
  private static Plan canary(String gate, double percent, int count) {
    int bp = (int) Math.round(percent * 100);
    return Plan.of(
        "canary",
        STABLE,
        CANDIDATE,
        List.of(
            new Step.Launch(CANDIDATE.id(), 1),
            new Step.Route(TrafficSplit.of(STABLE.id(), CANDIDATE.id(), bp)),
            Step.Verify.gates(gate).count(count).interval(Duration.ofMinutes(1)).build(),
            new Step.Route(TrafficSplit.all(CANDIDATE.id()))),
        List.of(new Step.Route(TrafficSplit.all(STABLE.id())), new Step.Retire(CANDIDATE.id())));
  }
}
