// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.metrics;

import io.cutover.api.InvalidSpecException;
import io.cutover.core.metrics.internal.Expression;
import io.cutover.core.metrics.internal.Series;
import io.cutover.spi.MetricQuery;
import io.cutover.spi.MetricResult;
import io.cutover.spi.MetricSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A {@link MetricSource} over an {@link InProcessMetrics} registry.
 *
 * <p><b>Language.</b> A query is one function over selectors written like PromQL selectors, {@code
 * name{label="v", label!="v", label=~"re", label!~"re"}[5m]} (regular expressions are fully
 * anchored; an absent label matches as the empty string):
 *
 * <ul>
 *   <li>{@code sum(sel)} the sum of recordings in the range (a counter's increase);
 *   <li>{@code rate(sel)} that sum per second of range;
 *   <li>{@code count(sel)} the number of recordings;
 *   <li>{@code ratio(a / b)} {@code sum(a) / sum(b)}, no data when {@code sum(b)} is 0 or nothing
 *       matches {@code b}; when {@code a}'s instrument exists but none of its series matches (no
 *       request has failed yet), {@code sum(a)} counts as 0, so an error ratio is 0 rather than no
 *       data;
 *   <li>{@code quantile(0.99, sel)} a quantile of the recorded values (linear interpolation, R type
 *       7);
 *   <li>{@code samples(sel)} every recorded value in the window, for the canary judge;
 *   <li>a bare selector {@code sel}, or just a metric name: the same as {@code samples(sel)} (the
 *       SPI lets a query be "a metric name").
 * </ul>
 *
 * The range defaults to the query's window ({@code start..end}), or to everything retained for an
 * instant query. A range query ({@code step} set) evaluates the function at {@code start}, {@code
 * start+step}, ... {@code end}, each over its range (default: one step); {@code samples} returns
 * the raw recordings of {@code [start, end]} instead.
 *
 * <p><b>No data.</b> An instrument that does not exist, no series matching the labels, a ratio over
 * nothing, or a quantile of nothing is {@link MetricResult#noData}. A sum over existing series
 * without recordings in the range is 0 (the counter exists and did not move), like PromQL's {@code
 * increase}.
 *
 * <p><b>Threading.</b> Safe for concurrent use. <b>Errors.</b> A malformed query is {@link
 * InvalidSpecException} naming it.
 */
public final class InProcessMetricSource implements MetricSource {
  private final InProcessMetrics metrics;

  private InProcessMetricSource(InProcessMetrics metrics) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  /** A source reading {@code metrics}. */
  public static InProcessMetricSource of(InProcessMetrics metrics) {
    return new InProcessMetricSource(metrics);
  }

  @Override
  public MetricResult query(MetricQuery query) {
    String text = query.rendered();
    Expression e = Expression.parse(text);
    List<MetricResult.Sample> out = new ArrayList<>();
    if (e.function().equals("samples")) {
      Instant from =
          query.step() == null && query.start().equals(query.end())
              ? rangeStart(e.selectors().get(0), query.end(), null)
              : query.start();
      List<Series.Points> pts = points(e.selectors().get(0), from, query.end(), true);
      if (pts == null) {
        return MetricResult.noData(text);
      }
      for (Series.Points p : pts) {
        for (int i = 0; i < p.values().length; i++) {
          long n = p.nanos()[i];
          out.add(
              new MetricResult.Sample(
                  Instant.ofEpochSecond(
                      Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L)),
                  p.values()[i]));
        }
      }
      out.sort((a, b) -> a.time().compareTo(b.time()));
      return new MetricResult(out, text);
    }
    if (query.step() == null) {
      Duration window = Duration.between(query.start(), query.end());
      out.add(
          new MetricResult.Sample(
              query.end(), evaluate(e, query.end(), window.isZero() ? null : window)));
    } else {
      for (Instant t = query.start(); !t.isAfter(query.end()); t = t.plus(query.step())) {
        out.add(new MetricResult.Sample(t, evaluate(e, t, query.step())));
      }
    }
    return new MetricResult(out, text);
  }

  private double evaluate(Expression e, Instant at, @Nullable Duration defaultRange) {
    List<Expression.Selector> sel = e.selectors();
    return switch (e.function()) {
      case "sum" -> sum(sel.get(0), at, defaultRange);
      case "count" -> count(sel.get(0), at, defaultRange);
      case "rate" -> {
        Instant from = rangeStart(sel.get(0), at, defaultRange);
        double seconds = Duration.between(from, at).toNanos() / 1e9;
        yield seconds > 0 && seconds < 1e12
            ? sum(sel.get(0), at, defaultRange) / seconds
            : Double.NaN;
      }
      case "ratio" -> {
        double den = sum(sel.get(1), at, defaultRange);
        if (!(den > 0)) {
          yield Double.NaN;
        }
        double num = sum(sel.get(0), at, defaultRange);
        // A known instrument with no matching series yet (no 5xx so far) is a true zero; an unknown
        // instrument (a typo) stays no data rather than turning into a passing 0.
        yield Double.isNaN(num) && metrics.instrument(sel.get(0).metric()) != null ? 0 : num / den;
      }
      case "quantile" -> quantile(values(sel.get(0), at, defaultRange), e.quantile());
      default ->
          throw new InvalidSpecException(
              "query",
              "function '" + e.function() + "' is not supported here",
              "use sum, rate, count, ratio, quantile or samples");
    };
  }

  private double sum(Expression.Selector s, Instant at, @Nullable Duration defaultRange) {
    double[] v = values(s, at, defaultRange);
    if (v == null) {
      return Double.NaN;
    }
    double total = 0;
    for (double x : v) {
      total += x;
    }
    return total;
  }

  private double count(Expression.Selector s, Instant at, @Nullable Duration defaultRange) {
    double[] v = values(s, at, defaultRange);
    return v == null ? Double.NaN : v.length;
  }

  private double @Nullable [] values(
      Expression.Selector s, Instant at, @Nullable Duration defaultRange) {
    List<Series.Points> pts = points(s, rangeStart(s, at, defaultRange), at, false);
    if (pts == null) {
      return null;
    }
    int n = 0;
    for (Series.Points p : pts) {
      n += p.values().length;
    }
    double[] all = new double[n];
    int i = 0;
    for (Series.Points p : pts) {
      System.arraycopy(p.values(), 0, all, i, p.values().length);
      i += p.values().length;
    }
    return all;
  }

  private static Instant rangeStart(
      Expression.Selector s, Instant at, @Nullable Duration defaultRange) {
    Duration range = s.range() != null ? s.range() : defaultRange;
    return range == null ? Instant.MIN : at.minus(range);
  }

  /** Points of every matching series, or null when nothing matches (no data, not zero). */
  private @Nullable List<Series.Points> points(
      Expression.Selector s, Instant from, Instant to, boolean fromInclusive) {
    InProcessMetrics.Instrument inst = metrics.instrument(s.metric());
    if (inst == null) {
      return null;
    }
    List<Series.Points> out = new ArrayList<>();
    for (Series series : inst.series()) {
      boolean match = true;
      for (Expression.LabelMatcher m : s.matchers()) {
        if (!m.matches(series.attributes().get(m.label()))) {
          match = false;
          break;
        }
      }
      if (match) {
        out.add(series.pointsIn(from, to, fromInclusive));
      }
    }
    return out.isEmpty() ? null : out;
  }

  /** Linear interpolation between closest ranks (R type 7, numpy's default); NaN for no values. */
  static double quantile(double @Nullable [] values, double q) {
    if (values == null || values.length == 0) {
      return Double.NaN;
    }
    double[] v = values.clone();
    Arrays.sort(v);
    double h = (v.length - 1) * q;
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, v.length - 1);
    return v[lo] + (h - lo) * (v[hi] - v[lo]);
  }

  @Override
  public String toString() {
    return "InProcessMetricSource";
  }
}
