// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.strategy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.core.strategy.internal.CanaryProgram;
import io.cutover.core.strategy.internal.CanaryProgram.Op;
import io.cutover.core.strategy.internal.CanaryProgram.ScaleMode;
import io.cutover.core.strategy.internal.Violations;
import io.cutover.spi.PlanRequest;
import io.cutover.spi.RolloutStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A canary rollout driven by an explicit step list, modelled on Argo Rollouts' canary steps: shift
 * a share of traffic ({@link Builder#setWeight}), wait ({@link Builder#pause(Duration)}) or wait
 * for a human ({@link Builder#pause()}), judge the canary ({@link Builder#analysis}), size it
 * ({@link Builder#setCanaryScaleReplicas} and friends), send requests with a given header to it
 * (A/B, {@link Builder#setHeaderRoute}) or copy a share of requests to it ({@link
 * Builder#setMirrorRoute}), optionally with one background analysis that runs from a given step
 * until the rollout ends.
 *
 * <p><b>Plan.</b> With a stable release, the canary is launched by the first step that needs it;
 * its instance count follows the weight, {@code ceil(replicas * weight / 100)} clamped to {@code
 * 1..replicas}, unless a set-canary-scale step fixes it. The canary is scaled before a weight
 * increase, so the new share never lands on too few instances. Header routes and the mirror are
 * part of every route from their step on (the canary stays in the split at weight 0 for them) and
 * are removed by the final promotion; the engine reads every route back, rules and mirror included.
 * The stable release keeps its full scale throughout. After the last step the target is scaled to
 * {@code replicas}, takes 100 % of the traffic, and the stable release drains for {@code
 * scaleDownDelay} (default {@value #DEFAULT_SCALE_DOWN_DELAY_SECONDS}s) and is retired. The
 * rollback routes 100 % back to stable, then retires the target. A first deployment launches the
 * target at full scale, starts the background analysis, routes 100 % to it, then runs each distinct
 * inline analysis once, in order; pauses, header routes and mirrors are dropped (there is no stable
 * release to compare with).
 *
 * <p><b>Validation.</b> Weights are 0..100 and never decrease; a canary must expose the target to
 * traffic or to analysis before promotion, so the step list must contain a set-weight, header
 * route, mirror route or analysis step, or the strategy must have a background analysis (a list of
 * pauses and scales only would be a big-bang cutover in disguise: use {@link BlueGreenStrategy} or
 * {@link RecreateStrategy} for that).
 *
 * <p><b>Threading.</b> Immutable and thread-safe; the builder is not.
 *
 * <p><b>Errors.</b> {@link Builder#build()} throws one {@link InvalidSpecException} listing every
 * violation with a path such as {@code canary.steps[3].setWeight}; {@link #plan} never throws for a
 * valid request.
 */
public final class CanaryStrategy implements RolloutStrategy {
  /** Default time the old stable release drains after the final switch, as in Argo Rollouts. */
  public static final long DEFAULT_SCALE_DOWN_DELAY_SECONDS = 30;

  /** An HTTP header name: an RFC 9110 token. */
  private static final Pattern HEADER_TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private final CanaryProgram program;
  private final LifecycleHooks hooks;

  private CanaryStrategy(CanaryProgram program, LifecycleHooks hooks) {
    this.program = program;
    this.hooks = hooks;
  }

  /** An empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "canary";
  }

  @Override
  public Plan plan(PlanRequest request) {
    return hooks.applyTo(compile(request));
  }

  private Plan compile(PlanRequest request) {
    return program.compile(name(), request);
  }

  /** E.g. {@code canary[setWeight 10, pause 5m, ...]}. */
  @Override
  public String toString() {
    return "canary" + program;
  }

  /**
   * Builds a {@link CanaryStrategy}. Steps are appended in call order; every other option may be
   * set once. Not thread-safe.
   */
  public static final class Builder {
    private static final String PATH = "canary";
    private final List<Op> steps = new ArrayList<>();
    private Step.@Nullable Verify background;
    private @Nullable Integer backgroundStart;
    private @Nullable Duration scaleDownDelay;
    private @Nullable LifecycleHooks hooks;

    private Builder() {}

    /** Appends a step routing {@code percent} (0..100) of traffic to the canary. */
    public Builder setWeight(int percent) {
      steps.add(new Op.SetWeight(percent));
      return this;
    }

    /**
     * Appends an A/B step, as Argo Rollouts' {@code setHeaderRoute}: requests whose header {@code
     * header} equals {@code value} exactly (header names compare case-insensitively) go to the
     * canary whatever the weights say. The route stays in effect, together with later ones, until
     * the final promotion removes it; the canary is launched if no step has yet (at weight 0 it
     * takes only the matching requests).
     *
     * @param header an HTTP header name (an RFC 9110 token, e.g. {@code X-Canary})
     * @param value the exact value to match, not empty
     */
    public Builder setHeaderRoute(String header, String value) {
      steps.add(new Op.SetHeaderRoute(header, value));
      return this;
    }

    /**
     * Appends a mirroring step, as Argo Rollouts' {@code setMirrorRoute}: {@code percent} (1..100)
     * of all requests are copied to the canary and its answers discarded, so it sees production
     * traffic without serving it. A later call replaces the share; the final promotion removes the
     * mirror. The canary is launched if no step has yet.
     */
    public Builder setMirrorRoute(int percent) {
      steps.add(new Op.SetMirrorRoute(percent));
      return this;
    }

    /** Appends a timed pause; the duration must be positive. */
    public Builder pause(Duration duration) {
      steps.add(
          new Op.Pause(
              Violations.notNull(
                  duration,
                  stepPath(steps.size()) + ".pause",
                  "give a positive duration, or call pause() to wait for approval")));
      return this;
    }

    /** Appends a pause that lasts until a human approves. */
    public Builder pause() {
      steps.add(new Op.Pause(null));
      return this;
    }

    /** Appends an analysis that must pass before the next step; it must not be a background one. */
    public Builder analysis(Step.Verify verify) {
      steps.add(
          new Op.Analysis(
              Violations.notNull(
                  verify,
                  stepPath(steps.size()) + ".analysis",
                  "build one with Step.Verify.gates(...).build()")));
      return this;
    }

    /**
     * Appends a step fixing the canary at {@code replicas} instances (at least 1, at most the full
     * scale).
     */
    public Builder setCanaryScaleReplicas(int replicas) {
      steps.add(new Op.SetScale(ScaleMode.REPLICAS, replicas));
      return this;
    }

    /**
     * Appends a step fixing the canary at {@code percent} (1..100) of the full scale, rounded up.
     */
    public Builder setCanaryScalePercent(int percent) {
      steps.add(new Op.SetScale(ScaleMode.PERCENT, percent));
      return this;
    }

    /**
     * Appends a step making the canary's instance count follow its traffic weight again (the
     * default).
     */
    public Builder setCanaryScaleMatchTrafficWeight() {
      steps.add(new Op.SetScale(ScaleMode.MATCH_TRAFFIC_WEIGHT, 0));
      return this;
    }

    /**
     * A background analysis starting before the first step; see {@link
     * #backgroundAnalysis(Step.Verify, int)}.
     */
    public Builder backgroundAnalysis(Step.Verify verify) {
      return backgroundAnalysis(verify, 0);
    }

    /**
     * A background analysis (a {@link Step.Verify} built with {@code background()}) that starts
     * before step {@code startingStep} (0-based) and runs until its count is reached or the rollout
     * ends, aborting the rollout whenever it fails. Starting it launches the canary if no step has
     * yet.
     */
    public Builder backgroundAnalysis(Step.Verify verify, int startingStep) {
      Violations.notNull(
          verify,
          PATH + ".backgroundAnalysis",
          "build one with Step.Verify.gates(...).background().build()");
      this.background = Violations.setOnce(background, verify, PATH + ".backgroundAnalysis");
      this.backgroundStart = startingStep;
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
     * Lifecycle hooks the plans get, placed where they belong (see {@link LifecycleHooks}); default
     * none. May be set once.
     */
    public Builder hooks(LifecycleHooks hooks) {
      Violations.notNull(hooks, PATH + ".hooks", "pass LifecycleHooks.builder()...build()");
      this.hooks = Violations.setOnce(this.hooks, hooks, PATH + ".hooks");
      return this;
    }

    /**
     * Validates every option and builds the strategy.
     *
     * @throws InvalidSpecException listing every violation
     */
    public CanaryStrategy build() {
      Violations v = new Violations();
      validateSteps(v);
      if (background != null) {
        if (!background.background()) {
          v.add(
              PATH + ".backgroundAnalysis.background",
              "is false",
              "build the Verify with background(), or add it as an inline analysis(...) step");
        }
        int start = backgroundStart == null ? 0 : backgroundStart;
        if (!steps.isEmpty() && (start < 0 || start >= steps.size())) {
          v.add(
              PATH + ".backgroundAnalysis.startingStep",
              "is " + start + " but the steps are 0.." + (steps.size() - 1),
              "start the background analysis at one of the steps");
        }
      }
      v.notNegative(scaleDownDelay, PATH + ".scaleDownDelay");
      v.throwIfAny();
      return new CanaryStrategy(
          new CanaryProgram(
              steps,
              background,
              backgroundStart == null ? 0 : backgroundStart,
              scaleDownDelay == null
                  ? Duration.ofSeconds(DEFAULT_SCALE_DOWN_DELAY_SECONDS)
                  : scaleDownDelay),
          hooks == null ? LifecycleHooks.NONE : hooks);
    }

    private void validateSteps(Violations v) {
      if (steps.isEmpty()) {
        v.add(
            PATH + ".steps",
            "is empty",
            "add setWeight/analysis steps; for an all-at-once switch use blueGreen() or recreate()");
        return;
      }
      int lastWeight = -1;
      int lastWeightStep = -1;
      boolean exposes = background != null;
      Map<String, Integer> seenHeaderRoutes = new HashMap<>();
      for (int i = 0; i < steps.size(); i++) {
        Op op = steps.get(i);
        String path = stepPath(i);
        if (op instanceof Op.SetWeight w) {
          exposes = true;
          if (w.percent() < 0 || w.percent() > 100) {
            v.add(path + ".setWeight", "is " + w.percent(), "use a percentage from 0 to 100");
          } else if (w.percent() < lastWeight) {
            v.add(
                path + ".setWeight",
                "is "
                    + w.percent()
                    + ", below "
                    + lastWeight
                    + " set at steps["
                    + lastWeightStep
                    + "]",
                "keep weights non-decreasing; to reduce exposure, abort the rollout");
          } else {
            lastWeight = w.percent();
            lastWeightStep = i;
          }
        } else if (op instanceof Op.Pause p) {
          v.positive(p.duration(), path + ".pause");
        } else if (op instanceof Op.Analysis a) {
          exposes = true;
          if (a.verify().background()) {
            v.add(
                path + ".analysis.background",
                "is true, but an inline analysis must finish before the next step",
                "build it without background(), or pass it to backgroundAnalysis(...)");
          }
        } else if (op instanceof Op.SetHeaderRoute h) {
          exposes = true;
          validateHeaderRoute(h, i, seenHeaderRoutes, v);
        } else if (op instanceof Op.SetMirrorRoute m) {
          exposes = true;
          v.percent(m.percent(), 1, path + ".setMirrorRoute.percent");
        } else if (op instanceof Op.SetScale s) {
          if (s.mode() == ScaleMode.REPLICAS && s.value() < 1) {
            v.add(
                path + ".setCanaryScale.replicas",
                "is " + s.value(),
                "run at least 1 canary instance");
          } else if (s.mode() == ScaleMode.PERCENT) {
            v.percent(s.value(), 1, path + ".setCanaryScale.percent");
          }
        }
      }
      if (!exposes) {
        v.add(
            PATH + ".steps",
            "has no setWeight and no analysis, so the target would be promoted unseen",
            "add a setWeight or analysis step (or a background analysis); for an all-at-once switch use "
                + "blueGreen() or recreate()");
      }
    }

    /**
     * A header name must be an HTTP token (routers put it in their configuration verbatim), the
     * value must not be empty, and the same header/value pair may not be routed twice.
     */
    private static void validateHeaderRoute(
        Op.SetHeaderRoute h, int index, Map<String, Integer> seen, Violations v) {
      String path = stepPath(index) + ".setHeaderRoute";
      String header = h.header();
      if (header == null || !HEADER_TOKEN.matcher(header).matches()) {
        v.add(
            path + ".header",
            header == null ? "is missing" : "is '" + header + "', not an HTTP header name",
            "use a header name made of letters, digits and !#$%&'*+-.^_`|~, e.g. X-Canary");
        return;
      }
      String value = h.value();
      if (value == null || value.isEmpty()) {
        v.add(
            path + ".value",
            "is " + (value == null ? "missing" : "empty"),
            "give the exact header value that selects the canary, e.g. \"always\"");
        return;
      }
      String key = header.toLowerCase(Locale.ROOT) + "\u0000" + value;
      Integer earlier = seen.putIfAbsent(key, index);
      if (earlier != null) {
        v.add(
            path,
            "routes " + header + "=" + value + " again, already routed at steps[" + earlier + "]",
            "remove the repeated setHeaderRoute: a header route stays in effect until promotion");
      }
    }

    private static String stepPath(int index) {
      return PATH + ".steps[" + index + "]";
    }
  }
}
