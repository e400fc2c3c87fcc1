// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Test fixtures and a small simulator of the engine's step semantics, used to check properties
 * every strategy's plans must have whatever the options: a release is retired only once it has no
 * traffic, traffic never goes to a release without instances (unless downtime is allowed), a
 * forward plan ends with the target at full scale serving 100 %, and the rollback from any point
 * restores the stable release at full scale serving 100 %.
 */
public final class PlanChecks {
  static final Release STABLE = release("v1");
  static final Release TARGET = release("v2");
  static final String S = STABLE.id();
  static final String T = TARGET.id();

  private PlanChecks() {}

  static Release release(String version) {
    return Release.of(
            "checkout",
            new ArtifactRef("registry.example.com/shop/checkout", Digest.sha256(version)))
        .withLabel(version);
  }

  static Step.Verify verify(String gate) {
    return Step.Verify.gates(gate).build();
  }

  static Step.Verify background(String gate) {
    return Step.Verify.gates(gate)
        .interval(java.time.Duration.ofSeconds(30))
        .count(0)
        .background()
        .build();
  }

  static Step route(int targetPercent) {
    return new Step.Route(TrafficSplit.of(S, T, targetPercent * 100));
  }

  static Step routeBasisPoints(int targetBasisPoints) {
    return new Step.Route(TrafficSplit.of(S, T, targetBasisPoints));
  }

  static Step routeAll(String releaseId) {
    return new Step.Route(TrafficSplit.all(releaseId));
  }

  /** Instance counts and the split, as the engine would leave them. */
  static final class World {
    final Map<String, Integer> instances = new HashMap<>();
    @Nullable TrafficSplit split;
    final boolean allowDowntime;

    World(@Nullable Release stable, int replicas, boolean allowDowntime) {
      this.allowDowntime = allowDowntime;
      if (stable != null) {
        instances.put(stable.id(), replicas);
        split = TrafficSplit.all(stable.id());
      }
    }

    int count(String id) {
      return instances.getOrDefault(id, 0);
    }

    void apply(Step step, String where) {
      if (step instanceof Step.Launch l) {
        if (count(l.releaseId()) != 0) {
          fail(
              where
                  + ": launches "
                  + l.releaseId()
                  + " which already runs "
                  + count(l.releaseId()));
        }
        instances.put(l.releaseId(), l.replicas());
      } else if (step instanceof Step.Scale sc) {
        instances.put(sc.releaseId(), sc.replicas());
      } else if (step instanceof Step.Retire r) {
        if (split != null && split.weight(r.releaseId()) != 0) {
          fail(
              where
                  + ": retires "
                  + r.releaseId()
                  + " while it still has weight "
                  + split.weight(r.releaseId()));
        }
        instances.put(r.releaseId(), 0);
      } else if (step instanceof Step.Route r) {
        split = r.split();
      }
      if (!allowDowntime
          && split != null
          && !(step instanceof Step.Verify || step instanceof Step.Pause)) {
        for (String id : split.releaseIds()) {
          if (split.weight(id) > 0 && count(id) == 0) {
            fail(
                where
                    + " ("
                    + step.describe()
                    + "): release "
                    + id
                    + " has weight "
                    + split.weight(id)
                    + " but no instance");
          }
        }
      }
    }
  }

  /**
   * Checks a plan of one of the built-in strategies, knowing which steps it may abort after and
   * whether its rollback must relaunch the stable release before routing to it. Only recreate may
   * route to a release without instances.
   */
  public static void check(Plan plan, int replicas) {
    boolean recreate = plan.strategy().equals("recreate");
    boolean shrinksStable = recreate || plan.strategy().equals("rolling");
    forward(plan, replicas, recreate);
    int retire = indexOf(plan.steps(), Step.Retire.class);
    rollbackFromEveryStep(
        plan, replicas, shrinksStable || retire < 0 ? plan.steps().size() : retire, recreate);
  }

  /**
   * Runs the forward steps and checks they end with the target at full scale serving everything.
   */
  static World forward(Plan plan, int replicas, boolean allowDowntime) {
    World w = new World(plan.stable(), replicas, allowDowntime);
    for (int i = 0; i < plan.steps().size(); i++) {
      w.apply(plan.steps().get(i), "steps[" + i + "]");
    }
    assertThat(w.split).as("final split").isEqualTo(TrafficSplit.all(plan.target().id()));
    assertThat(w.count(plan.target().id())).as("target instances at the end").isEqualTo(replicas);
    if (plan.stable() != null) {
      assertThat(w.count(plan.stable().id())).as("stable instances at the end").isZero();
    }
    return w;
  }

  /**
   * Runs every prefix of the forward steps up to {@code lastAbortableStep} followed by the
   * rollback, and checks the rollback routes 100 % to stable before it retires anything and leaves
   * stable at full scale serving everything (or, for a first deployment, nothing of the target).
   */
  static void rollbackFromEveryStep(
      Plan plan, int replicas, int lastAbortableStep, boolean scaleFirst) {
    List<Step> rollback = plan.rollbackSteps();
    Release stable = plan.stable();
    String target = plan.target().id();
    if (stable == null) {
      assertThat(rollback).containsExactly(new Step.Retire(target));
      return;
    }
    int firstRoute = indexOf(rollback, Step.Route.class);
    int firstRetire = indexOf(rollback, Step.Retire.class);
    assertThat(firstRoute).as("rollback routes").isGreaterThanOrEqualTo(0);
    assertThat(firstRoute)
        .as("rollback routes to stable before it retires anything")
        .isLessThan(firstRetire);
    assertThat(((Step.Route) rollback.get(firstRoute)).split())
        .isEqualTo(TrafficSplit.all(stable.id()));
    if (!scaleFirst) {
      assertThat(firstRoute).as("traffic goes back to stable first").isZero();
    }
    for (int k = 0; k <= lastAbortableStep; k++) {
      World w = new World(stable, replicas, true);
      for (int i = 0; i < k; i++) {
        w.apply(plan.steps().get(i), "steps[" + i + "]");
      }
      for (int i = 0; i < rollback.size(); i++) {
        w.apply(rollback.get(i), "abort after " + k + " steps, rollback[" + i + "]");
      }
      assertThat(w.split)
          .as("split after rollback from step %d", k)
          .isEqualTo(TrafficSplit.all(stable.id()));
      assertThat(w.count(stable.id()))
          .as("stable after rollback from step %d", k)
          .isEqualTo(replicas);
      assertThat(w.count(target)).as("target after rollback from step %d", k).isZero();
    }
  }

  static int indexOf(List<Step> steps, Class<? extends Step> kind) {
    for (int i = 0; i < steps.size(); i++) {
      if (kind.isInstance(steps.get(i))) {
        return i;
      }
    }
    return -1;
  }
}
