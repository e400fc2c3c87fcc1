// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.crash;

import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Judges a recorded world after a crash scenario finished, whatever journal the engines used: the
 * effect log replayed through {@link RecordedWorld} (no operation applied twice, no traffic to a
 * stopped instance), each rollout's traffic only moving forward until a rollback, its target
 * launched once, the world settled as its outcome says after its last effect, and every service
 * settled on its final stable release at the end.
 *
 * <p>The caller says which rollouts the journal holds and what each deserved ({@link Rollout}), as
 * read from its own journal: the file journal's crash campaign and the PostgreSQL kill campaign of
 * the benchmarks share this check.
 *
 * <p><b>Threading.</b> Stateless; {@link #check} may run on any thread.
 */
public final class WorldCheck {

  /**
   * What the journal says one rollout should have done.
   *
   * @param rolloutId the rollout (the prefix of its effects' operation ids)
   * @param service its service
   * @param target the release it rolled out
   * @param stable the stable release it started from
   * @param bad whether the target fails the scenario's gate (so the rollout must end aborted)
   */
  public record Rollout(
      String rolloutId, String service, Release target, Release stable, boolean bad) {}

  /**
   * The verdict on a world.
   *
   * @param problems every finding, empty when the world is as it must be
   * @param duplicates effects that repeated an operation id already applied
   * @param reissues calls the providers recognised as repeats and answered without acting
   */
  public record Result(List<String> problems, int duplicates, int reissues) {
    /** Copies the problems. */
    public Result {
      problems = List.copyOf(problems);
    }
  }

  private WorldCheck() {}

  /**
   * Replays {@code effects} and judges them against the rollouts the journal holds (by rollout id)
   * and the scenario's final stable releases.
   */
  public static Result check(
      List<Effect> effects, CrashScenario scenario, Map<String, Rollout> rollouts) {
    List<String> problems = new ArrayList<>();
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
    return new Result(problems, world.duplicates(), world.reissues());
  }

  /** Replays the effects, checking each rollout's traffic and its end state at its last effect. */
  private static RecordedWorld checkWorld(
      List<Effect> effects,
      CrashScenario scenario,
      Map<String, Rollout> rollouts,
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
      Rollout x = rollouts.get(e.rolloutId());
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
