// SPDX-License-Identifier: Apache-2.0
package io.cutover.benchmarks;

import io.cutover.testkit.crash.CrashCampaign;
import io.cutover.testkit.crash.CrashReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;

/**
 * The crash campaign of issue 3: real child JVMs run canary rollouts on the durable file journal
 * and are killed with {@code kill -9} at seeded random instants, restarted, killed again, and
 * finally judged (see {@link CrashCampaign}).
 *
 * <ul>
 *   <li>{@code crash.points}: kill -9 signals delivered to running children (default 200).
 *   <li>{@code crash.correct}: points whose run ended correct: every rollout with the outcome its
 *       release deserves, traffic where it belongs, nothing left running but the final stable
 *       release.
 *   <li>{@code crash.duplicate_effects}: effects applied twice for one operation id.
 *   <li>{@code crash.corrupt_journals}: runs whose journal refused to open (a torn tail truncated
 *       on open is not corruption).
 *   <li>{@code crash.reissued_effects}: effects the restarted engines re-issued with the same
 *       operation id, answered idempotently (evidence that kills landed between an effect and its
 *       DONE record).
 *   <li>Baseline, same run: {@code crash.baseline_correct} of {@code crash.baseline_runs}
 *       uninterrupted runs through the same children and checks, and the wall time per run with and
 *       without kills.
 * </ul>
 *
 * Run with {@code ./benchmarks/run crash [points] [seed] [baselineRuns] [rolloutsPerService]}
 * (defaults 200, 3, 2 and the campaign's 3); takes several minutes (each point costs a JVM start).
 * Work directories are kept under {@code java.io.tmpdir} when something fails.
 */
public final class CrashBenchmark {
  private CrashBenchmark() {}

  public static void main(String[] args) throws Exception {
    int points = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 3;
    int baselineRuns = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    Path dir = Files.createTempDirectory("cutover-crash-");
    CrashCampaign.Builder builder =
        CrashCampaign.builder(dir)
            .seed(seed)
            .killPoints(points)
            .progress(line -> System.err.println("crash: " + line));
    if (args.length > 3) {
      builder.rolloutsPerService(Integer.parseInt(args[3]));
    }
    CrashCampaign campaign = builder.build();

    CrashReport baseline = campaign.baseline(baselineRuns);
    CrashReport report = campaign.run();

    long baselineCorrect = baseline.runs().stream().filter(CrashReport.Run::correct).count();
    System.out.println("BENCH crash.points " + report.points() + " count");
    System.out.println("BENCH crash.correct " + report.correct() + " count");
    System.out.println("BENCH crash.duplicate_effects " + report.duplicateEffects() + " count");
    System.out.println("BENCH crash.corrupt_journals " + report.corruptJournals() + " count");
    System.out.println("BENCH crash.reissued_effects " + report.reissuedEffects() + " count");
    System.out.println("BENCH crash.runs " + report.runs().size() + " count");
    System.out.println("BENCH crash.baseline_runs " + baseline.runs().size() + " count");
    System.out.println("BENCH crash.baseline_correct " + baselineCorrect + " count");
    System.out.println(
        String.format(
            Locale.ROOT,
            "BENCH crash.baseline_seconds_per_run %.1f s",
            baseline.elapsed().toMillis() / 1000.0 / baseline.runs().size()));
    System.out.println(
        String.format(
            Locale.ROOT,
            "BENCH crash.seconds_per_run_with_kills %.1f s",
            report.elapsed().toMillis() / 1000.0 / report.runs().size()));
    System.err.println(report.describe());
    boolean clean =
        report.correct() == report.points() && baselineCorrect == baseline.runs().size();
    if (clean) {
      deleteTree(dir);
    } else {
      System.err.println("crash: work directories kept in " + dir);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
