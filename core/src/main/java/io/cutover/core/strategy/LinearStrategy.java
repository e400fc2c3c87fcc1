// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.strategy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.core.strategy.internal.CanaryProgram;
import io.cutover.core.strategy.internal.CanaryProgram.Op;
import io.cutover.core.strategy.internal.Violations;
import io.cutover.spi.PlanRequest;
import io.cutover.spi.RolloutStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Shifts traffic to the target in equal increments ({@code stepWeight 10} gives 10, 20, ..., 100 %)
 * or through explicit weights, waiting an interval and/or running an analysis after each increment.
 *
 * <p><b>Plan.</b> Each increment compiles like a canary step: the target is scaled to {@code
 * ceil(replicas * weight / 100)} instances (at least 1), the weight is routed, the analysis (if
 * any) runs, then the interval (if any) elapses. No interval follows an increment that reaches 100
 * %: the scale-down delay (default {@value CanaryStrategy#DEFAULT_SCALE_DOWN_DELAY_SECONDS}s) is
 * the bake time there. After the last increment the target is scaled to full, takes 100 %, and the
 * stable release drains and retires. A {@code maxWeight} below 100 means the last increment jumps
 * from {@code maxWeight} to 100 % at promotion. Rollback and first deployment are those of {@link
 * CanaryStrategy}; a first deployment runs the analysis once.
 *
 * <p><b>Validation.</b> Exactly one of {@code stepWeight} (1..100, with optional {@code maxWeight}
 * {@code stepWeight..100}, default 100) or explicit {@code weights} (each 1..100, strictly
 * increasing); at least one of {@code interval} (positive) or {@code analysis} (foreground), since
 * increments with neither would shift all traffic at once.
 *
 * <p><b>Threading.</b> Immutable and thread-safe; the builder is not.
 *
 * <p><b>Errors.</b> {@link Builder#build()} throws one {@link InvalidSpecException} listing every
 * violation, with paths such as {@code linear.weights[2]}.
 */
public final class LinearStrategy implements RolloutStrategy {
  private final CanaryProgram program;

  private LinearStrategy(CanaryProgram program) {
    this.program = program;
  }

  /** An empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "linear";
  }

  @Override
  public Plan plan(PlanRequest request) {
    return program.compile(name(), request);
  }

  /** E.g. {@code linear[setWeight 10, pause 1m, ...]}. */
  @Override
  public String toString() {
    return "linear" + program;
  }

  /** Builds a {@link LinearStrategy}. Every option may be set once. Not thread-safe. */
  public static final class Builder {
    private static final String PATH = "linear";
    private @Nullable Integer stepWeight;
    private @Nullable Integer maxWeight;
    private int @Nullable [] weights;
    private @Nullable Duration interval;
    private Step.@Nullable Verify analysis;
    private Step.@Nullable Verify background;
    private @Nullable Duration scaleDownDelay;

    private Builder() {}

    /** Increments of {@code percent} (1..100) up to {@code maxWeight}. */
    public Builder stepWeight(int percent) {
      this.stepWeight = Violations.setOnce(stepWeight, percent, PATH + ".stepWeight");
      return this;
    }

    /** The last weight reached by {@code stepWeight} increments before promotion; default 100. */
    public Builder maxWeight(int percent) {
      this.maxWeight = Violations.setOnce(maxWeight, percent, PATH + ".maxWeight");
      return this;
    }

    /** Explicit weights in percent, strictly increasing, instead of {@code stepWeight}. */
    public Builder weights(int... percents) {
      Violations.notNull(percents, PATH + ".weights", "list the weights, e.g. weights(5, 25, 50)");
      this.weights =
          Violations.setOnce(
              weights == null ? null : Arrays.toString(weights),
              percents.clone(),
              PATH + ".weights");
      return this;
    }

    /** How long each increment bakes; positive. */
    public Builder interval(Duration interval) {
      Violations.notNull(
          interval, PATH + ".interval", "give a positive duration, e.g. Duration.ofMinutes(1)");
      this.interval = Violations.setOnce(this.interval, interval, PATH + ".interval");
      return this;
    }

    /** An analysis run after every increment; must not be a background one. */
    public Builder analysis(Step.Verify verify) {
      Violations.notNull(
          verify, PATH + ".analysis", "build one with Step.Verify.gates(...).build()");
      this.analysis = Violations.setOnce(analysis, verify, PATH + ".analysis");
      return this;
    }

    /** A background analysis started before the first increment and run until the rollout ends. */
    public Builder backgroundAnalysis(Step.Verify verify) {
      Violations.notNull(
          verify,
          PATH + ".backgroundAnalysis",
          "build one with Step.Verify.gates(...).background().build()");
      this.background = Violations.setOnce(background, verify, PATH + ".backgroundAnalysis");
      return this;
    }

    /** How long the old stable release drains after the final switch; default 30s, 0 or more. */
    public Builder scaleDownDelay(Duration delay) {
      Violations.notNull(
          delay, PATH + ".scaleDownDelay", "give a duration, e.g. Duration.ofSeconds(30)");
      this.scaleDownDelay = Violations.setOnce(scaleDownDelay, delay, PATH + ".scaleDownDelay");
      return this;
    }

    /**
     * Validates every option and builds the strategy.
     *
     * @throws InvalidSpecException listing every violation
     */
    public LinearStrategy build() {
      Violations v = new Violations();
      List<Integer> increments = increments(v);
      v.positive(interval, PATH + ".interval");
      v.foreground(analysis, PATH + ".analysis");
      if (background != null && !background.background()) {
        v.add(
            PATH + ".backgroundAnalysis.background",
            "is false",
            "build the Verify with background(), or pass it to analysis(...)");
      }
      if (interval == null && analysis == null) {
        v.add(
            PATH + ".interval",
            "is missing and so is linear.analysis, so all increments would happen at once",
            "set an interval (e.g. 5m) to bake each increment, an analysis to judge it, or both");
      }
      v.notNegative(scaleDownDelay, PATH + ".scaleDownDelay");
      v.throwIfAny();
      List<Op> ops = new ArrayList<>();
      for (int w : increments) {
        ops.add(new Op.SetWeight(w));
        if (analysis != null) {
          ops.add(new Op.Analysis(analysis));
        }
        if (interval != null && w < 100) {
          ops.add(new Op.Pause(interval));
        }
      }
      return new LinearStrategy(
          new CanaryProgram(
              ops,
              background,
              0,
              scaleDownDelay == null
                  ? Duration.ofSeconds(CanaryStrategy.DEFAULT_SCALE_DOWN_DELAY_SECONDS)
                  : scaleDownDelay));
    }

    private List<Integer> increments(Violations v) {
      List<Integer> out = new ArrayList<>();
      if (weights != null) {
        if (stepWeight != null) {
          v.add(
              PATH + ".stepWeight",
              "is set together with linear.weights",
              "use either stepWeight or weights");
        }
        if (maxWeight != null) {
          v.add(
              PATH + ".maxWeight",
              "is set together with linear.weights",
              "maxWeight goes with stepWeight; with explicit weights, the last one is the maximum");
        }
        if (weights.length == 0) {
          v.add(PATH + ".weights", "is empty", "list at least one weight, e.g. weights(5, 25, 50)");
        }
        for (int i = 0; i < weights.length; i++) {
          int before = v.count();
          v.percent(weights[i], 1, PATH + ".weights[" + i + "]");
          if (v.count() == before && i > 0 && weights[i] <= weights[i - 1]) {
            v.add(
                PATH + ".weights[" + i + "]",
                "is " + weights[i] + ", not above weights[" + (i - 1) + "] = " + weights[i - 1],
                "list weights in strictly increasing order");
          }
          out.add(weights[i]);
        }
        return out;
      }
      if (stepWeight == null) {
        v.add(
            PATH + ".stepWeight",
            "is missing",
            "set stepWeight (e.g. 10 for 10, 20, ..., 100) or explicit weights");
        return out;
      }
      int max = maxWeight == null ? 100 : maxWeight;
      int before = v.count();
      v.percent(stepWeight, 1, PATH + ".stepWeight");
      v.percent(max, 1, PATH + ".maxWeight");
      if (v.count() == before && max < stepWeight) {
        v.add(
            PATH + ".maxWeight",
            "is " + max + ", below stepWeight " + stepWeight,
            "raise maxWeight to at least stepWeight, or lower stepWeight");
      }
      if (v.count() == before) {
        for (int w = stepWeight; w < max; w += stepWeight) {
          out.add(w);
        }
        out.add(max);
      }
      return out;
    }
  }
}
