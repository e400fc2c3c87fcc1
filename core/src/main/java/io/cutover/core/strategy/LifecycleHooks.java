// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.strategy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.TrafficSplit;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.spi.PlanRequest;
import io.cutover.spi.RolloutStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Lifecycle hooks configured once for a rollout (Flagger's webhook kinds), placed by the strategy
 * where they belong as {@link Step.Hook} steps, so the plan shows them and the journal records them
 * like any step. Any registered {@code HealthGate} can be a hook; what the engine does with its
 * verdict depends on the phase (see {@link Step.Hook}).
 *
 * <p>Placement in a compiled plan: rollout-wide hooks ({@code rollout}, {@code rollback}, {@code
 * event}, and the per-instance {@code warm-up} and {@code pre-stop}) and {@code confirm-rollout}
 * first, before the first side effect; {@code pre-rollout} before the first route that exposes the
 * target (a weight, a header/cookie rule or a mirror); {@code confirm-traffic-increase} before each
 * route that raises the target's weight, except the one that brings it to 100 %, which gets {@code
 * confirm-promotion}; {@code post-rollout} after the last step. Rollback steps get no hooks.
 *
 * <pre>{@code
 * LifecycleHooks hooks = LifecycleHooks.builder()
 *     .confirmRollout("change-window")
 *     .preRollout("smoke-tests")
 *     .confirmPromotion("release-manager")
 *     .rollback("pager")
 *     .interval(Duration.ofSeconds(30))
 *     .build();
 * RolloutStrategy canary = Strategies.canary().setWeight(10).setWeight(50).hooks(hooks).build();
 * }</pre>
 *
 * <p>Immutable and thread-safe; the builder is not.
 */
public final class LifecycleHooks {
  /** No hooks: plans stay as the strategy compiled them. */
  public static final LifecycleHooks NONE = new LifecycleHooks(List.of(), List.of());

  private static final List<String> PHASES =
      List.of(
          Step.Hook.CONFIRM_ROLLOUT,
          Step.Hook.PRE_ROLLOUT,
          Step.Hook.ROLLOUT,
          Step.Hook.CONFIRM_TRAFFIC_INCREASE,
          Step.Hook.CONFIRM_PROMOTION,
          Step.Hook.POST_ROLLOUT,
          Step.Hook.ROLLBACK,
          Step.Hook.EVENT,
          Step.Hook.WARM_UP,
          Step.Hook.PRE_STOP);

  private final List<Step.Hook> hooks;
  private final List<Step.Migration> migrations;

  private LifecycleHooks(List<Step.Hook> hooks, List<Step.Migration> migrations) {
    this.hooks = List.copyOf(hooks);
    this.migrations = List.copyOf(migrations);
  }

  /** An empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The hooks, in the order they were added. */
  public List<Step.Hook> hooks() {
    return hooks;
  }

  /** A strategy that compiles with {@code strategy} and then places these hooks. */
  public RolloutStrategy around(RolloutStrategy strategy) {
    Objects.requireNonNull(strategy, "strategy");
    LifecycleHooks self = this;
    return new RolloutStrategy() {
      @Override
      public String name() {
        return strategy.name();
      }

      @Override
      public Plan plan(PlanRequest request) {
        return self.applyTo(strategy.plan(request));
      }

      @Override
      public String toString() {
        return strategy + "+hooks" + self;
      }
    };
  }

  /** {@code plan} with these hooks placed in its forward steps (see the class comment). */
  public Plan applyTo(Plan plan) {
    if (hooks.isEmpty() && migrations.isEmpty()) {
      return plan;
    }
    String target = plan.target().id();
    List<Step> out = new ArrayList<>();
    add(out, Step.Hook.ROLLOUT);
    add(out, Step.Hook.ROLLBACK);
    add(out, Step.Hook.EVENT);
    add(out, Step.Hook.WARM_UP);
    add(out, Step.Hook.PRE_STOP);
    add(out, Step.Hook.CONFIRM_ROLLOUT);
    migrate(out, Step.Migration.EXPAND);
    String stable = plan.stable() == null ? null : plan.stable().id();
    boolean exposed = false;
    int weight = 0;
    for (Step s : plan.steps()) {
      if (s instanceof Step.Route r) {
        TrafficSplit split = r.split();
        int w = split.weight(target);
        if (!exposed && exposes(split, target)) {
          add(out, Step.Hook.PRE_ROLLOUT);
          exposed = true;
        }
        if (w == TrafficSplit.TOTAL && weight < TrafficSplit.TOTAL) {
          add(out, Step.Hook.CONFIRM_PROMOTION);
        } else if (w > weight) {
          add(out, Step.Hook.CONFIRM_TRAFFIC_INCREASE);
        }
        weight = w;
      }
      out.add(s);
      if (s instanceof Step.Retire rt && rt.releaseId().equals(stable)) {
        migrate(out, Step.Migration.CONTRACT);
      }
    }
    if (!exposed) {
      // a plan that never routes to the target still runs its pre-rollout hooks, before it ends
      add(out, Step.Hook.PRE_ROLLOUT);
    }
    add(out, Step.Hook.POST_ROLLOUT);
    return Plan.of(plan.strategy(), plan.stable(), plan.target(), out, plan.rollbackSteps());
  }

  /** A split exposes the target when it gives it weight, a header/cookie rule or the mirror. */
  private static boolean exposes(TrafficSplit split, String target) {
    TrafficSplit.Mirror mirror = split.mirror();
    return split.weight(target) > 0
        || split.rules().stream().anyMatch(m -> m.releaseId().equals(target))
        || (mirror != null && mirror.releaseId().equals(target));
  }

  private void migrate(List<Step> out, String phase) {
    for (Step.Migration m : migrations) {
      if (m.phase().equals(phase)) {
        out.add(m);
      }
    }
  }

  private void add(List<Step> out, String phase) {
    for (Step.Hook h : hooks) {
      if (h.phase().equals(phase)) {
        out.add(h);
      }
    }
  }

  @Override
  public String toString() {
    return hooks.stream().map(h -> h.phase() + ":" + h.gate()).toList().toString();
  }

  /**
   * Builds {@link LifecycleHooks}. Hooks are added in call order; {@link #interval} may be set
   * once. Not thread-safe.
   */
  public static final class Builder {
    private final List<String[]> added = new ArrayList<>();
    private final List<Map<String, String>> params = new ArrayList<>();

    /** Per added hook: the warm-up deadline, or null for the default (or another phase). */
    private final List<@Nullable Duration> deadlines = new ArrayList<>();

    private @Nullable Duration interval;
    private final List<Step.Migration> migrations = new ArrayList<>();

    private Builder() {}

    /**
     * An expand/contract migration run by {@code gate} (see {@link Step.Migration}): the expand
     * phase right after confirm-rollout, before the target is launched; the contract phase right
     * after the old stable release is retired (never on abort, never in a first deployment).
     */
    public Builder migration(String gate, Map<String, String> params) {
      migrations.add(Step.Migration.expand(gate, params));
      migrations.add(Step.Migration.contract(gate, params));
      return this;
    }

    /** Asked before the first side effect; the rollout waits until it confirms, a FAIL aborts. */
    public Builder confirmRollout(String gate) {
      return hook(Step.Hook.CONFIRM_ROLLOUT, gate, Map.of());
    }

    /** Run before traffic first reaches the target (smoke tests); anything but PASS aborts. */
    public Builder preRollout(String gate) {
      return hook(Step.Hook.PRE_ROLLOUT, gate, Map.of());
    }

    /** Evaluated with every analysis measurement, counted like the analysis' gates. */
    public Builder rollout(String gate) {
      return hook(Step.Hook.ROLLOUT, gate, Map.of());
    }

    /** Asked before each traffic increase; the rollout waits until it confirms. */
    public Builder confirmTrafficIncrease(String gate) {
      return hook(Step.Hook.CONFIRM_TRAFFIC_INCREASE, gate, Map.of());
    }

    /** Asked before the final promotion; the rollout waits until it confirms. */
    public Builder confirmPromotion(String gate) {
      return hook(Step.Hook.CONFIRM_PROMOTION, gate, Map.of());
    }

    /** Run after the last step; its failure is reported, never rolled back. */
    public Builder postRollout(String gate) {
      return hook(Step.Hook.POST_ROLLOUT, gate, Map.of());
    }

    /** Polled every interval during the rollout; its FAIL aborts the rollout. */
    public Builder rollback(String gate) {
      return hook(Step.Hook.ROLLBACK, gate, Map.of());
    }

    /**
     * Each instance a forward launch or scale step starts must pass {@code gate} (asked every
     * {@link #interval}, with the instance as its only candidate instance and parameter {@code
     * instanceId}) before routers are given it; a FAIL, or no PASS within {@code deadline} of the
     * launch, aborts the rollout. Rollback steps skip it (see {@link Step.Hook#WARM_UP}).
     *
     * @param deadline positive, at most {@link Step#MAX_DURATION}
     */
    public Builder warmUp(String gate, Duration deadline) {
      hook(Step.Hook.WARM_UP, gate, Map.of());
      // a missing deadline is reported by build(), with the hook's path
      deadlines.set(deadlines.size() - 1, deadline == null ? Duration.ZERO : deadline);
      return this;
    }

    /**
     * Run once for each instance before a retire (or a scale down) stops it; a verdict other than
     * PASS is reported (event, log) and the instance is stopped anyway (see {@link
     * Step.Hook#PRE_STOP}).
     */
    public Builder preStop(String gate) {
      return hook(Step.Hook.PRE_STOP, gate, Map.of());
    }

    /** Told every event of the rollout, fire-and-forget. */
    public Builder event(String gate) {
      return hook(Step.Hook.EVENT, gate, Map.of());
    }

    /** A hook of any of the phases above, with parameters passed to the gate. */
    public Builder hook(String phase, String gate, Map<String, String> params) {
      added.add(new String[] {phase, gate});
      this.params.add(Map.copyOf(params));
      deadlines.add(null);
      return this;
    }

    /**
     * How often confirm hooks that have not confirmed, and rollback hooks, are asked again; default
     * {@link Step.Hook#DEFAULT_INTERVAL}.
     */
    public Builder interval(Duration interval) {
      if (this.interval != null) {
        throw new IllegalStateException("interval was already set on this builder");
      }
      this.interval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /**
     * Builds the hooks.
     *
     * @throws InvalidSpecException listing every unknown phase, missing gate name, hook added twice
     *     and a bad interval, each with its path ({@code hooks[2].phase})
     */
    public LifecycleHooks build() {
      List<InvalidSpecException.Violation> v = new ArrayList<>();
      List<Step.Hook> out = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      Duration every = interval == null ? Step.Hook.DEFAULT_INTERVAL : interval;
      for (int i = 0; i < added.size(); i++) {
        String phase = added.get(i)[0];
        String gate = added.get(i)[1];
        String path = "hooks[" + i + "]";
        if (phase == null || !PHASES.contains(phase)) {
          v.add(
              new InvalidSpecException.Violation(
                  path + ".phase",
                  "is '" + phase + "'",
                  "use one of " + String.join(", ", PHASES)));
          continue;
        }
        if (gate == null || gate.isBlank()) {
          v.add(
              new InvalidSpecException.Violation(
                  path + ".gate", "is missing", "name a registered gate"));
          continue;
        }
        if (!seen.add(phase + "\u0000" + gate)) {
          v.add(
              new InvalidSpecException.Violation(
                  path,
                  "adds gate '" + gate + "' as a " + phase + " hook a second time",
                  "add each hook once"));
          continue;
        }
        Duration deadline = deadlines.get(i);
        if (deadline != null
            && (deadline.isNegative()
                || deadline.isZero()
                || deadline.compareTo(Step.MAX_DURATION) > 0)) {
          v.add(
              new InvalidSpecException.Violation(
                  path + ".deadline",
                  deadline.isZero() ? "is missing or 0" : "is " + deadline,
                  "give the warm-up a positive deadline of at most 365d, e.g."
                      + " Duration.ofMinutes(2)"));
          continue;
        }
        try {
          out.add(
              new Step.Hook(
                  gate,
                  phase,
                  params.get(i),
                  every,
                  deadline == null ? Step.Hook.DEFAULT_DEADLINE : deadline));
        } catch (InvalidSpecException e) {
          v.addAll(e.violations());
          break;
        }
      }
      if (!v.isEmpty()) {
        throw new InvalidSpecException(v);
      }
      return new LifecycleHooks(out, migrations);
    }
  }
}
