// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.strategy.internal;

import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.spi.PlanRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A validated canary step list and its compiler, shared by the canary and linear strategies.
 *
 * <p>Compilation follows Argo Rollouts' canary: the canary is launched lazily by the first step
 * that needs it (a weight, a scale, an analysis), its instance count follows the traffic weight
 * ({@code ceil(replicas * weight / 100)}, at least 1, at most {@code replicas}) unless a {@link
 * Op.SetScale} says otherwise, the canary is scaled <em>before</em> a weight increase so the new
 * share lands on enough instances, and the stable release keeps its full scale until the end: full
 * target scale, 100 % to the target, drain, retire stable. Immutable; the caller validates.
 */
public final class CanaryProgram {

  /** One canary step. */
  public sealed interface Op {
    /** Route {@code percent} of traffic to the canary. */
    record SetWeight(int percent) implements Op {
      @Override
      public String toString() {
        return "setWeight " + percent;
      }
    }

    /** Wait {@code duration}, or until approved when null. */
    record Pause(@Nullable Duration duration) implements Op {
      @Override
      public String toString() {
        return duration == null ? "pause until approved" : "pause " + Durations.human(duration);
      }
    }

    /** Run an analysis to its end. */
    record Analysis(Step.Verify verify) implements Op {
      @Override
      public String toString() {
        return "analysis " + String.join(",", verify.gates());
      }
    }

    /**
     * Send requests whose header {@code header} equals {@code value} to the canary, whatever the
     * weights say (Argo Rollouts' setHeaderRoute); in effect until the final promotion.
     */
    record SetHeaderRoute(String header, String value) implements Op {
      @Override
      public String toString() {
        return "setHeaderRoute " + header + "=" + value;
      }
    }

    /**
     * Copy {@code percent} of the requests to the canary, discarding its answers (Argo Rollouts'
     * setMirrorRoute); in effect until the final promotion; a later one replaces it.
     */
    record SetMirrorRoute(int percent) implements Op {
      @Override
      public String toString() {
        return "setMirrorRoute " + percent + "%";
      }
    }

    /** Change how many canary instances run. */
    record SetScale(ScaleMode mode, int value) implements Op {
      @Override
      public String toString() {
        return switch (mode) {
          case MATCH_TRAFFIC_WEIGHT -> "setCanaryScale matchTrafficWeight";
          case REPLICAS -> "setCanaryScale replicas " + value;
          case PERCENT -> "setCanaryScale " + value + "%";
        };
      }
    }
  }

  /** How the canary's instance count is chosen. */
  public enum ScaleMode {
    /** Follows the traffic weight (the default). */
    MATCH_TRAFFIC_WEIGHT,
    /** A fixed number of instances. */
    REPLICAS,
    /** A fixed percentage of the full replica count. */
    PERCENT
  }

  private final List<Op> ops;
  private final Step.@Nullable Verify background;
  private final int backgroundStart;
  private final Duration scaleDownDelay;

  /**
   * @param ops the validated steps
   * @param background a validated background analysis, or null
   * @param backgroundStart index of the step before which the background analysis starts
   * @param scaleDownDelay how long the stable release drains after the final switch
   */
  public CanaryProgram(
      List<Op> ops,
      Step.@Nullable Verify background,
      int backgroundStart,
      Duration scaleDownDelay) {
    this.ops = List.copyOf(ops);
    this.background = background;
    this.backgroundStart = backgroundStart;
    this.scaleDownDelay = Objects.requireNonNull(scaleDownDelay, "scaleDownDelay");
  }

  /** The steps. */
  public List<Op> ops() {
    return ops;
  }

  /** Compiles the program for a request into a plan named {@code strategy}. */
  public Plan compile(String strategy, PlanRequest request) {
    Release target = request.target();
    Release stable = request.stable();
    if (stable == null) {
      List<Step.Verify> inline =
          ops.stream()
              .filter(Op.Analysis.class::isInstance)
              .map(op -> ((Op.Analysis) op).verify())
              .distinct()
              .toList();
      return Plans.firstDeployment(
          strategy, request, background == null ? List.of() : List.of(background), inline);
    }
    Compilation c = new Compilation(stable.id(), target.id(), request.replicas());
    for (int i = 0; i < ops.size(); i++) {
      if (background != null && i == backgroundStart) {
        // Measuring a canary that does not exist yet would judge nothing: the analysis brings it
        // up.
        c.ensureScale();
        c.out.add(background);
      }
      c.apply(ops.get(i));
    }
    c.scaleTo(request.replicas());
    c.route(TrafficSplit.all(target.id()));
    c.out.add(new Step.Drain(stable.id(), scaleDownDelay));
    c.out.add(new Step.Retire(stable.id()));
    return Plan.of(
        strategy,
        stable,
        target,
        c.out,
        Plans.routeBackFirst(stable, target, request.replicas(), false));
  }

  @Override
  public String toString() {
    String s = ops.stream().map(Op::toString).collect(Collectors.joining(", ", "[", "]"));
    if (background != null) {
      s += ", background " + String.join(",", background.gates()) + " from step " + backgroundStart;
    }
    return s + ", scaleDownDelay " + Durations.human(scaleDownDelay);
  }

  /** The mutable state of one compilation. */
  private static final class Compilation {
    final List<Step> out = new ArrayList<>();
    final String stableId;
    final String targetId;
    final int replicas;
    int weight;
    ScaleMode mode = ScaleMode.MATCH_TRAFFIC_WEIGHT;
    int modeValue;
    int canaryCount;
    @Nullable TrafficSplit lastRoute;
    final List<TrafficSplit.MatchRule> rules = new ArrayList<>();
    TrafficSplit.@Nullable Mirror mirror;

    Compilation(String stableId, String targetId, int replicas) {
      this.stableId = stableId;
      this.targetId = targetId;
      this.replicas = replicas;
    }

    void apply(Op op) {
      if (op instanceof Op.SetWeight w) {
        weight = w.percent();
        ensureScale();
        routeCanary();
      } else if (op instanceof Op.SetHeaderRoute h) {
        rules.add(
            new TrafficSplit.MatchRule(
                TrafficSplit.MatchRule.Kind.HEADER, h.header(), h.value(), targetId));
        ensureScale();
        routeCanary();
      } else if (op instanceof Op.SetMirrorRoute m) {
        mirror = new TrafficSplit.Mirror(targetId, m.percent() * 100);
        ensureScale();
        routeCanary();
      } else if (op instanceof Op.Pause p) {
        out.add(new Step.Pause(p.duration()));
      } else if (op instanceof Op.Analysis a) {
        ensureScale();
        out.add(a.verify());
      } else if (op instanceof Op.SetScale s) {
        mode = s.mode();
        modeValue = s.value();
        ensureScale();
      }
    }

    /**
     * The canary's weight with the header routes and the mirror set so far; the canary stays in the
     * split at weight 0 so that rules and mirror can name it.
     */
    void routeCanary() {
      TrafficSplit.Builder b =
          TrafficSplit.builder()
              .weight(stableId, TrafficSplit.TOTAL - weight * 100)
              .weight(targetId, weight * 100);
      rules.forEach(b::rule);
      if (mirror != null) {
        b.mirror(mirror);
      }
      route(b.build());
    }

    void ensureScale() {
      scaleTo(desiredCanaryCount());
    }

    int desiredCanaryCount() {
      int n =
          switch (mode) {
            case MATCH_TRAFFIC_WEIGHT -> Plans.ceilPercent(replicas, weight);
            case REPLICAS -> modeValue;
            case PERCENT -> Plans.ceilPercent(replicas, modeValue);
          };
      return Math.max(1, Math.min(replicas, n));
    }

    void scaleTo(int n) {
      if (canaryCount == 0) {
        out.add(new Step.Launch(targetId, n));
      } else if (canaryCount != n) {
        out.add(new Step.Scale(targetId, n));
      }
      canaryCount = n;
    }

    void route(TrafficSplit split) {
      if (!split.equals(lastRoute)) {
        out.add(new Step.Route(split));
        lastRoute = split;
      }
    }
  }
}
