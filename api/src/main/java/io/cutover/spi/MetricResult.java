// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The answer of a {@link MetricSource}: samples, or an explicit absence of data.
 *
 * <p>No data ({@link #noData}) is a first-class answer: an empty result or a NaN value is never a
 * passing value. Gates decide what no data means by their configured policy.
 *
 * @param samples the samples in time order; empty when there is no data
 * @param detail what was asked, rendered, for explanations (e.g. the PromQL sent)
 */
public record MetricResult(List<Sample> samples, String detail) {

  /**
   * One value at one time.
   *
   * @param time when
   * @param value the value; never NaN in a result (NaN samples are dropped as no data)
   */
  public record Sample(Instant time, double value) {
    /** Validates the time. */
    public Sample {
      Objects.requireNonNull(time, "time");
    }
  }

  /** Copies the samples, dropping NaN values (no data is never a value). */
  public MetricResult {
    samples = samples.stream().filter(s -> !Double.isNaN(s.value())).toList();
    Objects.requireNonNull(detail, "detail");
  }

  /** A result with no data. */
  public static MetricResult noData(String detail) {
    return new MetricResult(List.of(), detail);
  }

  /** A single value at a time. */
  public static MetricResult of(Instant time, double value, String detail) {
    return new MetricResult(List.of(new Sample(time, value)), detail);
  }

  /** Whether there is no data. */
  public boolean isNoData() {
    return samples.isEmpty();
  }

  /** The last sample's value. @throws IllegalStateException when there is no data */
  public double last() {
    if (samples.isEmpty()) {
      throw new IllegalStateException("no data: " + detail);
    }
    return samples.get(samples.size() - 1).value();
  }

  /** All values in order. */
  public double[] values() {
    return samples.stream().mapToDouble(Sample::value).toArray();
  }
}
