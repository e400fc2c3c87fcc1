// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.crash;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a {@link CrashCampaign} found.
 *
 * <p>A kill point is <em>correct</em> when the run it belongs to ended correct: every later restart
 * opened the journal, the scenario finished, and the end-state check found nothing. A run's failure
 * therefore makes all of its points incorrect, which is strict on purpose: a crash can plant a
 * problem that only shows later.
 *
 * @param points kill -9 signals delivered to a running child
 * @param correct points that belong to correct runs
 * @param duplicateEffects effects that repeated an operation id already applied, over all runs
 * @param corruptJournals runs whose journal refused to open with {@code JournalCorruptedException}
 *     (a torn tail truncated on open is not corruption)
 * @param reissuedEffects calls the providers recognised as repeats: effects the engine re-issued
 *     after a crash with the same operation id, answered without acting
 * @param runs each run, in order
 * @param elapsed wall time of the whole campaign
 */
public record CrashReport(
    int points,
    int correct,
    int duplicateEffects,
    int corruptJournals,
    int reissuedEffects,
    List<Run> runs,
    Duration elapsed) {

  /** Copies the runs. */
  public CrashReport {
    runs = List.copyOf(runs);
  }

  /**
   * One run: a fresh directory, a scenario, child processes started and killed until it finished.
   *
   * @param index the run's number, from 0
   * @param directory where its journal, effect log and child logs are
   * @param scenario what it ran
   * @param kills kill -9 signals delivered
   * @param starts child processes started
   * @param corrupt whether the journal refused to open as corrupted
   * @param duplicates duplicated effects in its effect log
   * @param reissues repeated calls answered without acting
   * @param problems every finding; empty when the run is correct
   */
  public record Run(
      int index,
      Path directory,
      CrashScenario scenario,
      int kills,
      int starts,
      boolean corrupt,
      int duplicates,
      int reissues,
      List<String> problems) {
    /** Copies the problems. */
    public Run {
      problems = List.copyOf(problems);
    }

    /** Whether nothing went wrong. */
    public boolean correct() {
      return problems.isEmpty();
    }
  }

  /** The runs that went wrong. */
  public List<Run> failures() {
    return runs.stream().filter(r -> !r.correct()).toList();
  }

  /** A multi-line account: totals, then each failed run with its problems. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append(points)
        .append(" kill points in ")
        .append(runs.size())
        .append(" runs, ")
        .append(correct)
        .append(" correct, ")
        .append(duplicateEffects)
        .append(" duplicate effects, ")
        .append(corruptJournals)
        .append(" corrupt journals, ")
        .append(reissuedEffects)
        .append(" reissued effects answered idempotently, ")
        .append(elapsed.toSeconds())
        .append(" s");
    for (Run r : failures()) {
      sb.append("\nrun ")
          .append(r.index())
          .append(" (")
          .append(r.directory())
          .append(", ")
          .append(r.scenario().encode())
          .append(", ")
          .append(r.kills())
          .append(" kills):");
      r.problems().stream().limit(20).forEach(p -> sb.append("\n  - ").append(p));
      if (r.problems().size() > 20) {
        sb.append("\n  ... ").append(r.problems().size() - 20).append(" more");
      }
    }
    return sb.toString();
  }
}
