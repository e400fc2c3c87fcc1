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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Compares one metric of the candidate release with a fixed threshold: "success rate at least
 * 0.99", "p99 duration at most 0.5 s", "error count less than 1".
 *
 * <p><b>Query.</b> A template in the source's language with placeholders filled from the {@link
 * GateContext}: {@code {{release}}} (the candidate's id), {@code {{stable}}}, {@code {{service}}},
 * {@code {{rollout}}}, {@code {{phase}}}, {@code {{window}}} (the window as a PromQL duration, e.g.
 * {@code 300s}) and any hook parameter. By default the gate asks an instant query at the context's
 * {@code now}; with a {@link Builder#step step} it asks a range query over the window and {@link
 * Aggregation aggregates} the samples.
 *
 * <p><b>Window.</b> The window is the gate's {@link Builder#lookback lookback} if set, else the
 * context's ({@link GateContext#windowStart()} to {@code now}), never widened: a gate whose query
 * needs the window (a range query, or one naming {@code {{window}}}) and gets an empty one returns
 * INCONCLUSIVE saying how to fix the verify step, instead of judging time it was not given.
 *
 * <p><b>Outcomes.</b> PASS when the value satisfies the comparison; FAIL when it does not; no data
 * (empty result, NaN, absent series) gives the configured {@link NoDataPolicy} outcome, never PASS;
 * a source that fails or rejects the query gives ERROR with the source's message.
 *
 * <p><b>Threading.</b> Immutable; safe for concurrent evaluations if its source is.
 *
 * <pre>{@code
 * HealthGate gate = ThresholdGate.successRate("success-rate", prometheus, QueryDialect.PROMETHEUS, 0.99)
 *     .onNoData(NoDataPolicy.INCONCLUSIVE)
 *     .build();
 * }</pre>
 */
public final class ThresholdGate implements HealthGate {
  private final String name;
  private final MetricSource source;
  private final String query;
  private final Comparison comparison;
  private final double threshold;
  private final NoDataPolicy noData;
  private final Duration lookback;
  private final @Nullable Duration step;
  private final Aggregation aggregation;
  private final Map<String, String> labels;

  /** The name of the verdict's measurement: the gate's name unless {@link Builder#measuredAs}. */
  private final String measurement;

  private ThresholdGate(Builder b) {
    this.name = b.name;
    this.source = b.source;
    this.query = Objects.requireNonNull(b.query);
    this.comparison = Objects.requireNonNull(b.comparison);
    this.threshold = b.threshold;
    this.noData = b.noData;
    this.lookback = b.lookback;
    this.step = b.step;
    this.aggregation = b.aggregation;
    this.labels = Map.copyOf(b.labels);
    this.measurement = b.measurement != null ? b.measurement : b.name;
  }

  /** A builder for a gate named {@code name} reading from {@code source}. */
  public static Builder builder(String name, MetricSource source) {
    return new Builder(name, source);
  }

  /**
   * The built-in request success rate (share of non-5xx responses of the candidate) that must be at
   * least {@code minimum}, with the conventional metric and label names of the dialect ({@code
   * http_requests_total}, {@code release}, {@code code}). Use {@link QueryDialect#successRate} with
   * {@link Builder#query} for other names.
   */
  public static Builder successRate(
      String name, MetricSource source, QueryDialect dialect, double minimum) {
    return builder(name, source)
        .query(dialect.successRate("http_requests_total", "release", "code"))
        .passWhen(Comparison.AT_LEAST, minimum);
  }

  /**
   * The built-in 99th percentile of request durations of the candidate, in seconds, that must be at
   * most {@code maximumSeconds} ({@code http_request_duration_seconds}, label {@code release}).
   */
  public static Builder durationP99(
      String name, MetricSource source, QueryDialect dialect, double maximumSeconds) {
    return builder(name, source)
        .query(dialect.durationP99("http_request_duration_seconds", "release"))
        .passWhen(Comparison.AT_MOST, maximumSeconds);
  }

  @Override
  public String name() {
    return name;
  }

  /** The query template. */
  public String query() {
    return query;
  }

  @Override
  public Verdict evaluate(GateContext ctx) {
    Duration window = Templates.window(ctx, lookback);
    // An instant query that does not name the window does not need one (a one-shot check).
    Verdict empty =
        step != null || query.contains("{{window}}")
            ? Templates.emptyWindow(name, ctx, window)
            : null;
    if (empty != null) {
      return empty;
    }
    Map<String, String> values = Templates.labels(ctx, window, labels);
    MetricQuery q;
    try {
      q =
          step == null
              ? MetricQuery.instant(query, values, ctx.now())
              : new MetricQuery(query, values, ctx.now().minus(window), ctx.now(), step);
    } catch (InvalidSpecException e) {
      return Verdict.error("gate '" + name + "': " + e.getMessage());
    }
    String rendered = q.rendered();
    String condition = comparison.symbol() + " " + Gates.num(threshold);
    MetricResult r;
    try {
      r = source.query(q);
    } catch (CutoverException e) {
      return Verdict.error("gate '" + name + "': " + e.getMessage())
          .with(new Verdict.Measurement(measurement, ctx.candidate().id(), Double.NaN, condition));
    } catch (RuntimeException e) {
      return Verdict.error("gate '" + name + "': metric source failed: " + e);
    }
    if (r.isNoData()) {
      return new Verdict(
          noData.outcome(),
          List.of(
              new Verdict.Measurement(measurement, ctx.candidate().id(), Double.NaN, condition)),
          List.of(
              "gate '"
                  + name
                  + "': no data for "
                  + rendered
                  + " (no-data policy: "
                  + noData.name().toLowerCase(Locale.ROOT)
                  + ")"));
    }
    double value = aggregation.apply(r.values());
    boolean ok = comparison.passes(value, threshold);
    String reason =
        "gate '"
            + name
            + "': "
            + Gates.num(value)
            + (ok ? " satisfies " : " violates ")
            + condition
            + " for release "
            + ctx.candidate().id()
            + " ("
            + rendered
            + ")";
    return new Verdict(
        ok ? Verdict.Outcome.PASS : Verdict.Outcome.FAIL,
        List.of(new Verdict.Measurement(measurement, ctx.candidate().id(), value, condition)),
        List.of(reason));
  }

  @Override
  public String toString() {
    return "ThresholdGate{"
        + name
        + ": "
        + query
        + " "
        + comparison.symbol()
        + " "
        + Gates.num(threshold)
        + "}";
  }

  /**
   * Builds a {@link ThresholdGate}. A query and a comparison are required; the no-data policy
   * defaults to {@link NoDataPolicy#INCONCLUSIVE}. Not thread-safe.
   */
  public static final class Builder {
    private final String name;
    private final MetricSource source;
    private @Nullable String query;
    private @Nullable Comparison comparison;
    private double threshold = Double.NaN;
    private NoDataPolicy noData = NoDataPolicy.INCONCLUSIVE;
    private Duration lookback = Duration.ZERO;
    private @Nullable Duration step;
    private Aggregation aggregation = Aggregation.LAST;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private @Nullable String measurement;

    private Builder(String name, MetricSource source) {
      this.name = Gates.name(name, "gate.name");
      this.source = Objects.requireNonNull(source, "source");
    }

    /** The query template (see the class comment for placeholders). */
    public Builder query(String template) {
      if (template == null || template.isBlank()) {
        throw new InvalidSpecException(
            "gate." + name + ".query",
            "is blank",
            "write the metric query, e.g. a PromQL expression");
      }
      this.query = template;
      return this;
    }

    /** The condition that passes, e.g. {@code passWhen(Comparison.AT_LEAST, 0.99)}. */
    public Builder passWhen(Comparison comparison, double threshold) {
      if (Double.isNaN(threshold) || Double.isInfinite(threshold)) {
        throw new InvalidSpecException(
            "gate." + name + ".threshold", "is " + threshold, "use a finite number");
      }
      this.comparison = Objects.requireNonNull(comparison, "comparison");
      this.threshold = threshold;
      return this;
    }

    /** What no data means; never a pass. */
    public Builder onNoData(NoDataPolicy policy) {
      this.noData = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * A fixed window ending at {@code now}, instead of the context's window (since the step began).
     */
    public Builder lookback(Duration lookback) {
      if (lookback.isNegative()) {
        throw new InvalidSpecException(
            "gate." + name + ".lookback",
            "is negative",
            "use a positive duration, or 0 for the step's window");
      }
      this.lookback = lookback;
      return this;
    }

    /**
     * Ask a range query with this resolution and aggregate its samples (default: an instant query).
     */
    public Builder step(Duration step, Aggregation aggregation) {
      if (step.isNegative() || step.isZero()) {
        throw new InvalidSpecException(
            "gate." + name + ".step", "is " + step, "use a positive step such as 15s");
      }
      this.step = step;
      this.aggregation = Objects.requireNonNull(aggregation, "aggregation");
      return this;
    }

    /**
     * Names the verdict's measurement (default: the gate's name). Name it {@link
     * io.cutover.api.Verdict.Measurement#ERROR_RATE_DELTA} or {@link
     * io.cutover.api.Verdict.Measurement#LATENCY_P95_DELTA} when the query computes the canary's
     * value minus the baseline's (e.g. the query of {@code {{release}}} minus that of {@code
     * {{stable}}}): the engine then records each measurement in the matching SLI histogram (M3, M7;
     * docs/telemetry.md).
     */
    public Builder measuredAs(String measurementName) {
      if (measurementName == null || measurementName.isBlank()) {
        throw new InvalidSpecException(
            "gate." + name + ".measurement",
            "is blank",
            "name the measurement, e.g. Verdict.Measurement.ERROR_RATE_DELTA");
      }
      this.measurement = measurementName;
      return this;
    }

    /** An extra placeholder value for the template. */
    public Builder label(String key, String value) {
      labels.put(key, value);
      return this;
    }

    /**
     * Builds the gate.
     *
     * @throws InvalidSpecException if the query or the comparison is missing
     */
    public ThresholdGate build() {
      List<InvalidSpecException.Violation> v = new ArrayList<>();
      if (query == null) {
        v.add(
            new InvalidSpecException.Violation(
                "gate." + name + ".query", "is missing", "set the metric query template"));
      }
      if (comparison == null) {
        v.add(
            new InvalidSpecException.Violation(
                "gate." + name + ".threshold",
                "is missing",
                "say what passes, e.g. passWhen(Comparison.AT_LEAST, 0.99)"));
      }
      if (!v.isEmpty()) {
        throw new InvalidSpecException(v);
      }
      return new ThresholdGate(this);
    }
  }
}
