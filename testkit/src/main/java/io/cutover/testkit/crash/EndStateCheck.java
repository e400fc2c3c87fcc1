// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.crash;

import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
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
import java.util.Objects;
import java.util.Optional;

/**
 * Judges a crash-test directory after its scenario finished: the journal's account (every rollout
 * ended, in order, with the outcome its release deserves, no lease left behind) and the world's
 * (the effect log replayed through {@link RecordedWorld}: no operation applied twice, no traffic to
 * a stopped instance, each rollout's traffic only moving forward until a rollback, and each rollout
 * leaving the world as its outcome says).
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

  /** What the journal says one rollout should have done. */
  private record Expected(
      String rolloutId, String service, Release target, Release stable, boolean bad) {}

  private EndStateCheck() {}

  static Result check(Path dir, CrashScenario scenario) {
    List<String> problems = new ArrayList<>();
    Map<String, Expected> rollouts = new HashMap<>();
    boolean corrupt = false;
    try (FileJournal journal = FileJournal.open(dir.resolve("journal"))) {
      checkJournal(journal, scenario, rollouts, problems);
    } catch (JournalCorruptedException e) {
      corrupt = true;
      problems.add("journal corrupted: " + e.getMessage());
    }
    List<Effect> effects = EffectLog.read(dir.resolve("effects.log"));
    RecordedWorld world = checkWorld(effects, scenario, rollouts, problems);
    problems.addAll(world.violations());
    for (String service : scenario.services().keySet()) {
      checkSettled(
          world,
          service,
          scenario.finalStable(service),
          scenario.replicas(),
          "at the end",
          problems);
    }
    return new Result(problems, corrupt, world.duplicates(), world.reissues());
  }

  private static void checkJournal(
      FileJournal journal,
      CrashScenario scenario,
      Map<String, Expected> rollouts,
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
        rollouts.put(s.rolloutId(), new Expected(s.rolloutId(), service, target, stable, bad));
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

  /** Replays the effects, checking each rollout's traffic and its end state at its last effect. */
  private static RecordedWorld checkWorld(
      List<Effect> effects,
      CrashScenario scenario,
      Map<String, Expected> rollouts,
      List<String> problems) {
    Map<String, Long> lastEffect = new HashMap<>();
    for (Effect e : effects) {
      if (e.changes()) {
        lastEffect.put(e.rolloutId(), e.index());
      }
    }
    Map<String, Integer> maxWeight = new HashMap<>();
    Map<String, Boolean> rolledBack = new HashMap<>();
    Map<String, Integer> launches = new HashMap<>();
    RecordedWorld world = new RecordedWorld();
    for (Effect e : effects) {
      world.apply(e);
      Expected x = rollouts.get(e.rolloutId());
      if (x == null || !e.changes()) {
        continue;
      }
      String where = "effect #" + e.index() + " (" + e.op() + ")";
      if (e.kind() == Effect.Kind.LAUNCH
          && x.target().id().equals(e.releaseId())
          && launches.merge(x.rolloutId(), 1, Integer::sum) > 1) {
        problems.add(where + ": launched " + x.target().label() + " a second time in one rollout");
      }
      if (e.kind() == Effect.Kind.ROUTE) {
        int w = e.weights().getOrDefault(x.target().id(), 0);
        int max = maxWeight.getOrDefault(x.rolloutId(), 0);
        if (rolledBack.getOrDefault(x.rolloutId(), false)) {
          if (w > 0) {
            problems.add(
                where
                    + ": sent "
                    + w
                    + " bp to "
                    + x.target().label()
                    + " after the rollback had removed it");
          }
        } else if (w < max) {
          if (x.bad() && w == 0) {
            rolledBack.put(x.rolloutId(), true);
          } else {
            problems.add(
                where
                    + ": "
                    + x.target().label()
                    + "'s weight went back from "
                    + max
                    + " to "
                    + w
                    + " bp (an older split re-applied?)");
          }
        }
        maxWeight.merge(x.rolloutId(), w, Math::max);
      }
      if (Objects.equals(lastEffect.get(x.rolloutId()), e.index())) {
        Release settled = x.bad() ? x.stable() : x.target();
        checkSettled(
            world,
            x.service(),
            settled,
            scenario.replicas(),
            "after rollout "
                + x.rolloutId()
                + " ("
                + x.target().label()
                + (x.bad() ? ", bad" : ", good")
                + ")",
            problems);
      }
    }
    return world;
  }

  /**
   * All traffic on {@code release}, which runs {@code replicas} instances and is the only release
   * running.
   */
  private static void checkSettled(
      RecordedWorld world,
      String service,
      Release release,
      int replicas,
      String when,
      List<String> problems) {
    Optional<TrafficSplit> split = world.split(service);
    if (split.isEmpty() || split.get().weight(release.id()) != TrafficSplit.TOTAL) {
      problems.add(
          service
              + " "
              + when
              + ": traffic is "
              + split.map(Object::toString).orElse("unrouted")
              + ", expected 100 % on "
              + release.label()
              + " ("
              + release.id()
              + ")");
    }
    List<RecordedWorld.Unit> live = world.live(service);
    long mine = live.stream().filter(u -> u.releaseId().equals(release.id())).count();
    if (mine != replicas || live.size() != replicas) {
      problems.add(
          service
              + " "
              + when
              + ": "
              + live.size()
              + " instances run ("
              + mine
              + " of "
              + release.label()
              + "), expected exactly "
              + replicas
              + " of "
              + release.label());
    }
  }
}
