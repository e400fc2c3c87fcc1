// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.crash;

import io.cutover.api.Release;
import io.cutover.core.journal.FileJournal;
import io.cutover.core.journal.JournalCorruptedException;
import io.cutover.core.journal.RolloutSummary;
import io.cutover.spi.JournalRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Judges a crash-test directory after its scenario finished: the journal's account (every rollout
 * ended, in order, with the outcome its release deserves, no lease left behind) and the world's
 * ({@link WorldCheck}).
 */
final class EndStateCheck {

  /**
   * The verdict on one directory.
   *
   * @param problems every finding, empty when the run is correct
   * @param corrupt whether the journal refused to open as corrupted
   * @param duplicates effects that repeated an operation id already applied
   * @param reissues calls the providers recognised as repeats (the engine re-issued an effect after
   *     a crash)
   */
  record Result(List<String> problems, boolean corrupt, int duplicates, int reissues) {}

  private EndStateCheck() {}

  static Result check(Path dir, CrashScenario scenario) {
    List<String> problems = new ArrayList<>();
    Map<String, WorldCheck.Rollout> rollouts = new HashMap<>();
    boolean corrupt = false;
    try (FileJournal journal = FileJournal.open(dir.resolve("journal"))) {
      checkJournal(journal, scenario, rollouts, problems);
    } catch (JournalCorruptedException e) {
      corrupt = true;
      problems.add("journal corrupted: " + e.getMessage());
    }
    WorldCheck.Result world =
        WorldCheck.check(EffectLog.read(dir.resolve("effects.log")), scenario, rollouts);
    problems.addAll(world.problems());
    return new Result(problems, corrupt, world.duplicates(), world.reissues());
  }

  private static void checkJournal(
      FileJournal journal,
      CrashScenario scenario,
      Map<String, WorldCheck.Rollout> rollouts,
      List<String> problems) {
    Map<String, JournalRecord> last = new LinkedHashMap<>();
    journal.replay(0, r -> last.put(r.rolloutId(), r));
    last.forEach(
        (id, r) -> {
          if (r.type() != JournalRecord.Type.ENDED) {
            problems.add(
                "rollout "
                    + id
                    + " never ended: its last record is "
                    + r.type()
                    + " #"
                    + r.sequence());
          }
        });
    for (String service : scenario.services().keySet()) {
      List<RolloutSummary> history = journal.history(service);
      List<Release> wanted = scenario.rollouts(service);
      if (history.size() != wanted.size()) {
        problems.add(
            service
                + ": "
                + history.size()
                + " rollouts ended, expected "
                + wanted.size()
                + ": "
                + history.stream()
                    .map(s -> s.rolloutId() + "->" + s.target() + " " + s.outcome())
                    .toList());
      }
      Release stable = scenario.initial(service);
      for (int i = 0; i < Math.min(history.size(), wanted.size()); i++) {
        RolloutSummary s = history.get(i);
        Release target = wanted.get(i);
        boolean bad = scenario.isBad(target.id());
        String where =
            service + " rollout " + (i + 1) + " (" + s.rolloutId() + ", " + target.label() + ")";
        if (!target.id().equals(s.target())) {
          problems.add(where + ": deployed " + s.target() + " instead of " + target.id());
        }
        if (!stable.id().equals(s.stable())) {
          problems.add(
              where + ": started from stable " + s.stable() + " instead of " + stable.id());
        }
        String outcome = bad ? "aborted" : "succeeded";
        if (!outcome.equals(s.outcome())) {
          problems.add(
              where + ": ended " + s.outcome() + " (" + s.reason() + "), expected " + outcome);
        }
        rollouts.put(
            s.rolloutId(), new WorldCheck.Rollout(s.rolloutId(), service, target, stable, bad));
        if (!bad) {
          stable = target;
        }
      }
      journal
          .leaseHolder(service)
          .ifPresent(
              holder ->
                  problems.add(
                      service + ": lease still held by " + holder + " after every rollout ended"));
    }
  }
}
