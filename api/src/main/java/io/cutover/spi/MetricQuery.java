// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import io.cutover.api.InvalidSpecException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A question to a {@link MetricSource}: a metric (a name or a query in the source's language, which
 * may hold {@code {{release}}}, {@code {{service}}} and other placeholders filled from {@code
 * labels}) over a window. A null {@code step} asks for an instant value at {@code end}; a step asks
 * for a range series.
 *
 * @param metric the metric name or query template
 * @param labels values for the template's placeholders, e.g. {@code release -> app-1a2b}
 * @param start start of the window (inclusive)
 * @param end end of the window (inclusive); not before {@code start}
 * @param step resolution of a range query, or null for an instant query
 */
public record MetricQuery(
    String metric,
    Map<String, String> labels,
    Instant start,
    Instant end,
    @Nullable Duration step) {
  /** Validates the window and copies the labels. */
  public MetricQuery {
    if (metric == null || metric.isBlank()) {
      throw new InvalidSpecException("query.metric", "is blank", "name a metric or write a query");
    }
    labels = Map.copyOf(labels);
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (end.isBefore(start)) {
      throw new InvalidSpecException(
          "query.end", "is before start (" + end + " < " + start + ")", "swap them");
    }
    if (step != null && (step.isNegative() || step.isZero())) {
      throw new InvalidSpecException(
          "query.step", "is " + step, "use a positive step, or null for an instant query");
    }
  }

  /** An instant query at {@code at}. */
  public static MetricQuery instant(String metric, Map<String, String> labels, Instant at) {
    return new MetricQuery(metric, labels, at, at, null);
  }

  /** The metric with every {@code {{name}}} placeholder replaced from {@link #labels()}. */
  public String rendered() {
    String out = metric;
    for (Map.Entry<String, String> e : labels.entrySet()) {
      out = out.replace("{{" + e.getKey() + "}}", e.getValue());
    }
    return out;
  }
}
