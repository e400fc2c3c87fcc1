// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate;

import io.cutover.api.CutoverException;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Verdict;
import io.cutover.core.gate.internal.Gates;
import io.cutover.core.gate.internal.Templates;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import io.cutover.spi.MetricQuery;
import io.cutover.spi.MetricResult;
import io.cutover.spi.MetricSource;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Refuses new rollouts of a service whose error budget is exhausted ("pause further rollouts" until
 * reliability is restored).
 *
 * <p><b>Budget.</b> remaining = 1 − (error ratio over the SLO period) / (1 − objective). The error
 * ratio comes from a query template with {@code {{service}}} and {@code {{window}}} (the period)
 * placeholders. The service is frozen when remaining ≤ {@code minimumRemaining} (default 0).
 *
 * <p><b>Two ways to use it.</b> Call {@link #check(String)} before starting a rollout: it throws
 * {@link ReleaseFrozenException} and nothing happens. Or place {@link #asGate(String)} as a {@code
 * confirm-rollout} hook before the first side effect of the plan: FAIL aborts the rollout before
 * anything launched. The gate form is recorded in the journal like every verdict; the check form
 * never creates a rollout at all.
 *
 * <p><b>No data</b> (a new service, a metrics outage) allows the rollout by default, because
 * freezing every first deployment would be worse; {@code refuseWithoutData(true)} refuses instead.
 * A source that fails makes {@link #check} throw its exception (nothing starts on an unknown budget
 * when the metrics backend is down), and the gate form answer ERROR.
 *
 * <p><b>Exemptions.</b> {@link #exempt} lets a named fix through until a time, deliberately and
 * with a reason that is reported on every check it bypasses.
 *
 * <p><b>Threading.</b> Safe for concurrent use.
 */
public final class ReleaseFreezePolicy {
  private final MetricSource source;
  private final String errorRatioQuery;
  private final double objective;
  private final Duration period;
  private final double minimumRemaining;
  private final boolean refuseWithoutData;
  private final InstantSource clock;
  private final Map<String, Exemption> exemptions = new ConcurrentHashMap<>();

  private record Exemption(String reason, Instant until) {}

  private record Refusal(double remaining, String text) {}

  private ReleaseFreezePolicy(Builder b) {
    this.source = b.source;
    this.errorRatioQuery = b.errorRatioQuery;
    this.objective = b.objective;
    this.period = b.period;
    this.minimumRemaining = b.minimumRemaining;
    this.refuseWithoutData = b.refuseWithoutData;
    this.clock = b.clock;
  }

  /**
   * A builder.
   *
   * @param errorRatioQuery error ratio (0..1) of {@code {{service}}} over {@code {{window}}}
   * @param objective the SLO objective, e.g. 0.999
   * @param clock the clock that says "now" for the budget query and exemptions
   */
  public static Builder builder(
      MetricSource source, String errorRatioQuery, double objective, InstantSource clock) {
    return new Builder(source, errorRatioQuery, objective, clock);
  }

  /** The share of the error budget left (may be negative), or NaN when there is no data. */
  public double budgetRemaining(String service) {
    Instant now = clock.instant();
    Map<String, String> labels =
        Map.of("service", service, "window", Templates.promDuration(period));
    MetricResult r = source.query(MetricQuery.instant(errorRatioQuery, labels, now));
    return r.isNoData() ? Double.NaN : 1 - r.last() / (1 - objective);
  }

  /**
   * Lets rollouts of {@code service} through until {@code until} despite the freeze (a hotfix).
   *
   * @throws InvalidSpecException if the reason is blank
   */
  public void exempt(String service, String reason, Instant until) {
    if (reason == null || reason.isBlank()) {
      throw new InvalidSpecException(
          "exempt.reason", "is blank", "say why this service may deploy during a freeze");
    }
    exemptions.put(service, new Exemption(reason, Objects.requireNonNull(until, "until")));
  }

  /**
   * Checks a service before a rollout starts.
   *
   * @throws ReleaseFrozenException if its budget is exhausted (or unknown with {@code
   *     refuseWithoutData})
   * @throws CutoverException what the metric source throws when it cannot answer
   */
  public void check(String service) {
    Refusal refusal = refusal(service);
    if (refusal != null) {
      throw new ReleaseFrozenException(service, refusal.remaining(), refusal.text());
    }
  }

  /**
   * This policy as a gate for a {@code confirm-rollout} hook: PASS when the service may deploy,
   * FAIL when frozen, ERROR when the budget cannot be read.
   */
  public HealthGate asGate(String name) {
    String gateName = Gates.name(name, "gate.name");
    return new HealthGate() {
      @Override
      public String name() {
        return gateName;
      }

      @Override
      public Verdict evaluate(GateContext ctx) {
        try {
          Refusal refusal = refusal(ctx.service());
          return refusal == null
              ? Verdict.pass("gate '" + gateName + "': service '" + ctx.service() + "' may deploy")
              : Verdict.fail(
                      "gate '"
                          + gateName
                          + "': service '"
                          + ctx.service()
                          + "' is frozen: "
                          + refusal.text())
                  .with(
                      new Verdict.Measurement(
                          "error_budget_remaining",
                          null,
                          refusal.remaining(),
                          "> " + Gates.num(minimumRemaining)));
        } catch (RuntimeException e) {
          return Verdict.error(
              "gate '" + gateName + "': cannot read the error budget: " + e.getMessage());
        }
      }
    };
  }

  private @Nullable Refusal refusal(String service) {
    double remaining = budgetRemaining(service);
    boolean frozen = Double.isNaN(remaining) ? refuseWithoutData : remaining <= minimumRemaining;
    if (!frozen) {
      return null;
    }
    Exemption ex = exemptions.get(service);
    if (ex != null && clock.instant().isBefore(ex.until())) {
      return null;
    }
    return new Refusal(
        remaining,
        Double.isNaN(remaining)
            ? "no error-ratio data over "
                + Templates.promDuration(period)
                + " and refuseWithoutData is set"
            : Gates.num(remaining * 100)
                + "% of the "
                + Gates.num(objective * 100)
                + "% SLO's budget left over "
                + Templates.promDuration(period)
                + ", minimum "
                + Gates.num(minimumRemaining * 100)
                + "%");
  }

  /** Whether a service currently has an active exemption. */
  public boolean exempted(String service) {
    Exemption ex = exemptions.get(service);
    return ex != null && clock.instant().isBefore(ex.until());
  }

  /** Builds a {@link ReleaseFreezePolicy}. Not thread-safe. */
  public static final class Builder {
    private final MetricSource source;
    private final String errorRatioQuery;
    private final double objective;
    private final InstantSource clock;
    private Duration period = Duration.ofDays(30);
    private double minimumRemaining;
    private boolean refuseWithoutData;

    private Builder(
        MetricSource source, String errorRatioQuery, double objective, InstantSource clock) {
      this.source = Objects.requireNonNull(source, "source");
      if (errorRatioQuery == null || errorRatioQuery.isBlank()) {
        throw new InvalidSpecException(
            "freeze.query",
            "is blank",
            "write the error-ratio query of {{service}} over {{window}}");
      }
      this.errorRatioQuery = errorRatioQuery;
      this.objective = BurnRateGate.checkObjective(objective, "freeze.objective");
      this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The SLO period the budget covers (default 30 days). */
    public Builder period(Duration period) {
      if (period.isNegative() || period.isZero()) {
        throw new InvalidSpecException(
            "freeze.period", "is " + period, "use a positive period such as 30d");
      }
      this.period = period;
      return this;
    }

    /** Freeze when the remaining budget is at or below this share (default 0: exhausted). */
    public Builder minimumRemaining(double share) {
      if (!(share >= 0 && share < 1)) {
        throw new InvalidSpecException(
            "freeze.minimumRemaining", "is " + share, "use a share in [0, 1), e.g. 0.1");
      }
      this.minimumRemaining = share;
      return this;
    }

    /** Whether an unknown budget (no data) refuses rollouts (default false: allows them). */
    public Builder refuseWithoutData(boolean refuse) {
      this.refuseWithoutData = refuse;
      return this;
    }

    /** Builds the policy. */
    public ReleaseFreezePolicy build() {
      return new ReleaseFreezePolicy(this);
    }
  }
}
