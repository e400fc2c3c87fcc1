// SPDX-License-Identifier: Apache-2.0
/**
 * In-process metrics for embedded use and tests: {@link io.cutover.core.metrics.InProcessMetrics}, a
 * registry of OpenTelemetry-style counters and histograms that keeps time-stamped recordings for a
 * bounded retention, and {@link io.cutover.core.metrics.InProcessMetricSource}, the
 * {@link io.cutover.spi.MetricSource} that answers gate queries from it (sums, rates, ratios, quantiles
 * and raw samples per release over a window).
 */
@NullMarked
package io.cutover.core.metrics;

import org.jspecify.annotations.NullMarked;
