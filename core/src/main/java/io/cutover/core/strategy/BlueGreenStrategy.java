// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.strategy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.TrafficSplit.MatchRule;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.core.strategy.internal.Durations;
import io.cutover.core.strategy.internal.Plans;
import io.cutover.core.strategy.internal.Violations;
import io.cutover.spi.PlanRequest;
import io.cutover.spi.RolloutStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Blue/green, modelled on Argo Rollouts' {@code blueGreen}: the full green (target) set runs next
 * to blue (stable), is optionally previewed and analysed without live traffic, then takes all
 * traffic in one switch; blue stays up for a scale-down delay so that a rollback is instant, then
 * retires.
 *
 * <p><b>Plan.</b> With a stable release:
 *
 * <ol>
 *   <li>launch the target: {@code previewReplicas} instances if set (fewer than {@code replicas}),
 *       otherwise the full {@code replicas};
 *   <li>with a preview rule, route 0 % to the target plus a header or cookie rule that sends
 *       matching requests to it (testers reach green, users stay on blue);
 *   <li>the pre-promotion analysis, if any;
 *   <li>promotion gate: a pause until approved when auto-promotion is off; a timed pause when an
 *       auto-promotion delay is set; nothing otherwise (the default);
 *   <li>scale the target to {@code replicas} if it ran at preview scale;
 *   <li>route 100 % to the target (the preview rule goes with the switch);
 *   <li>the post-promotion analysis, if any (blue is still up: a failure switches straight back);
 *   <li>drain blue for {@code scaleDownDelay} (default {@value
 *       #DEFAULT_SCALE_DOWN_DELAY_SECONDS}s), retire it.
 * </ol>
 *
 * The rollback routes 100 % back to blue, then retires green. A first deployment launches the
 * target at full scale, runs the pre-promotion analysis, routes 100 % to it, then runs the
 * post-promotion analysis; preview and pauses are dropped (there is nobody to protect).
 *
 * <p><b>Validation.</b> Analyses must be foreground; an auto-promotion delay needs auto-promotion
 * on and must be positive; preview replicas at least 1; scale-down delay 0 or more; a preview rule
 * needs a non-blank name.
 *
 * <p><b>Threading.</b> Immutable and thread-safe; the builder is not.
 *
 * <p><b>Errors.</b> {@link Builder#build()} throws one {@link InvalidSpecException} listing every
 * violation, with paths such as {@code blueGreen.autoPromotionDelay}.
 */
public final class BlueGreenStrategy implements RolloutStrategy {
  /** Default time blue drains after the switch, as Argo Rollouts' {@code scaleDownDelaySeconds}. */
  public static final long DEFAULT_SCALE_DOWN_DELAY_SECONDS = 30;

  private final MatchRule.@Nullable Kind previewKind;
  private final String previewName;
  private final String previewValue;
  private final @Nullable Integer previewReplicas;
  private final Step.@Nullable Verify prePromotion;
  private final boolean autoPromotion;
  private final @Nullable Duration autoPromotionDelay;
  private final Step.@Nullable Verify postPromotion;
  private final Duration scaleDownDelay;
  private final LifecycleHooks hooks;

  private BlueGreenStrategy(Builder b) {
    this.hooks = b.hooks == null ? LifecycleHooks.NONE : b.hooks;
    this.previewKind = b.previewKind;
    this.previewName = b.previewName;
    this.previewValue = b.previewValue;
    this.previewReplicas = b.previewReplicas;
    this.prePromotion = b.prePromotion;
    this.autoPromotion = b.autoPromotion == null || b.autoPromotion;
    this.autoPromotionDelay = b.autoPromotionDelay;
    this.postPromotion = b.postPromotion;
    this.scaleDownDelay =
        b.scaleDownDelay == null
            ? Duration.ofSeconds(DEFAULT_SCALE_DOWN_DELAY_SECONDS)
            : b.scaleDownDelay;
  }

  /** An empty builder: no preview, no analysis, auto-promotion on, 30s scale-down delay. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "blue-green";
  }

  @Override
  public Plan plan(PlanRequest request) {
    return hooks.applyTo(compile(request));
  }

  private Plan compile(PlanRequest request) {
    Release target = request.target();
    Release stable = request.stable();
    if (stable == null) {
      return Plans.firstDeployment(
          name(), request, Plans.optional(prePromotion), Plans.optional(postPromotion));
    }
    int full = request.replicas();
    int launch = previewReplicas == null ? full : Math.min(previewReplicas, full);
    List<Step> steps = new ArrayList<>();
    steps.add(new Step.Launch(target.id(), launch));
    if (previewKind != null) {
      steps.add(
          new Step.Route(
              TrafficSplit.builder()
                  .weight(stable.id(), TrafficSplit.TOTAL)
                  .weight(target.id(), 0)
                  .rule(new MatchRule(previewKind, previewName, previewValue, target.id()))
                  .build()));
    }
    steps.addAll(Plans.optional(prePromotion));
    if (!autoPromotion) {
      steps.add(Step.Pause.untilApproved());
    } else if (autoPromotionDelay != null) {
      steps.add(Step.Pause.of(autoPromotionDelay));
    }
    if (launch < full) {
      steps.add(new Step.Scale(target.id(), full));
    }
    steps.add(new Step.Route(TrafficSplit.all(target.id())));
    steps.addAll(Plans.optional(postPromotion));
    steps.add(new Step.Drain(stable.id(), scaleDownDelay));
    steps.add(new Step.Retire(stable.id()));
    return Plan.of(
        name(), stable, target, steps, Plans.routeBackFirst(stable, target, full, false));
  }

  /** The options, e.g. {@code blue-green{autoPromotion=false, scaleDownDelay=30s}}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("blue-green{");
    if (previewKind != null) {
      sb.append("preview=")
          .append(previewKind.name().toLowerCase(Locale.ROOT))
          .append(' ')
          .append(previewName)
          .append('=')
          .append(previewValue)
          .append(", ");
    }
    if (previewReplicas != null) {
      sb.append("previewReplicas=").append(previewReplicas).append(", ");
    }
    if (prePromotion != null) {
      sb.append("prePromotionAnalysis=")
          .append(String.join(",", prePromotion.gates()))
          .append(", ");
    }
    sb.append("autoPromotion=").append(autoPromotion);
    if (autoPromotionDelay != null) {
      sb.append(" after ").append(Durations.human(autoPromotionDelay));
    }
    if (postPromotion != null) {
      sb.append(", postPromotionAnalysis=").append(String.join(",", postPromotion.gates()));
    }
    return sb.append(", scaleDownDelay=")
        .append(Durations.human(scaleDownDelay))
        .append('}')
        .toString();
  }

  /** Builds a {@link BlueGreenStrategy}. Every option may be set once. Not thread-safe. */
  public static final class Builder {
    private static final String PATH = "blueGreen";
    private MatchRule.@Nullable Kind previewKind;
    private String previewName = "";
    private String previewValue = "";
    private @Nullable Integer previewReplicas;
    private Step.@Nullable Verify prePromotion;
    private @Nullable Boolean autoPromotion;
    private @Nullable Duration autoPromotionDelay;
    private Step.@Nullable Verify postPromotion;
    private @Nullable Duration scaleDownDelay;
    private @Nullable LifecycleHooks hooks;

    private Builder() {}

    /**
     * Routes requests carrying header {@code name} with exactly {@code value} (e.g. {@code
     * x-cutover-preview: true}) to the target before promotion, at 0 % weight for everyone else.
     */
    public Builder previewHeader(String name, String value) {
      return preview(MatchRule.Kind.HEADER, name, value);
    }

    /** Like {@link #previewHeader} with a cookie. */
    public Builder previewCookie(String name, String value) {
      return preview(MatchRule.Kind.COOKIE, name, value);
    }

    private Builder preview(MatchRule.Kind kind, String name, String value) {
      Violations.notNull(
          name, PATH + ".preview.name", "name the header or cookie, e.g. x-cutover-preview");
      Violations.notNull(value, PATH + ".preview.value", "give the value to match, e.g. true");
      this.previewKind =
          Violations.setOnce(
              previewKind == null ? null : previewKind + " " + previewName,
              kind,
              PATH + ".preview");
      this.previewName = name;
      this.previewValue = value;
      return this;
    }

    /**
     * Launch only this many target instances for the preview, scaling to full just before
     * promotion.
     */
    public Builder previewReplicas(int replicas) {
      this.previewReplicas =
          Violations.setOnce(previewReplicas, replicas, PATH + ".previewReplicas");
      return this;
    }

    /** An analysis of the target before it takes traffic; must not be a background one. */
    public Builder prePromotionAnalysis(Step.Verify verify) {
      Violations.notNull(
          verify, PATH + ".prePromotionAnalysis", "build one with Step.Verify.gates(...).build()");
      this.prePromotion = Violations.setOnce(prePromotion, verify, PATH + ".prePromotionAnalysis");
      return this;
    }

    /**
     * Whether the switch happens without a human (default true); false adds a pause until approved.
     */
    public Builder autoPromotion(boolean enabled) {
      this.autoPromotion = Violations.setOnce(autoPromotion, enabled, PATH + ".autoPromotion");
      return this;
    }

    /** With auto-promotion, wait this long (positive) before the switch. */
    public Builder autoPromotionDelay(Duration delay) {
      Violations.notNull(
          delay,
          PATH + ".autoPromotionDelay",
          "give a positive duration, e.g. Duration.ofMinutes(5)");
      this.autoPromotionDelay =
          Violations.setOnce(autoPromotionDelay, delay, PATH + ".autoPromotionDelay");
      return this;
    }

    /**
     * An analysis after the switch, while blue can still take traffic back; must not be a
     * background one.
     */
    public Builder postPromotionAnalysis(Step.Verify verify) {
      Violations.notNull(
          verify, PATH + ".postPromotionAnalysis", "build one with Step.Verify.gates(...).build()");
      this.postPromotion =
          Violations.setOnce(postPromotion, verify, PATH + ".postPromotionAnalysis");
      return this;
    }

    /** How long blue drains after the switch before it retires; default 30s, 0 or more. */
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
    public BlueGreenStrategy build() {
      Violations v = new Violations();
      if (previewKind != null && previewName.isBlank()) {
        v.add(
            PATH + ".preview.name",
            "is blank",
            "name the header or cookie, e.g. x-cutover-preview");
      }
      if (previewReplicas != null && previewReplicas < 1) {
        v.add(
            PATH + ".previewReplicas", "is " + previewReplicas, "preview with at least 1 instance");
      }
      v.foreground(prePromotion, PATH + ".prePromotionAnalysis");
      v.foreground(postPromotion, PATH + ".postPromotionAnalysis");
      v.positive(autoPromotionDelay, PATH + ".autoPromotionDelay");
      if (autoPromotionDelay != null && Boolean.FALSE.equals(autoPromotion)) {
        v.add(
            PATH + ".autoPromotionDelay",
            "is set but autoPromotion is off, so a human promotes and the delay "
                + "would never apply",
            "remove autoPromotionDelay, or turn autoPromotion on");
      }
      v.notNegative(scaleDownDelay, PATH + ".scaleDownDelay");
      v.throwIfAny();
      return new BlueGreenStrategy(this);
    }
  }
}
