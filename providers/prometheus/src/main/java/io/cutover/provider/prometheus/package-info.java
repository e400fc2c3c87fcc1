// SPDX-License-Identifier: Apache-2.0
/**
 * Prometheus as a {@link io.cutover.spi.MetricSource}: instant and range queries over the HTTP API with
 * OkHttp, retries and a circuit breaker from Resilience4j, values parsed from Prometheus' strings, and
 * missing series or NaN reported as no data. Register it by name {@code prometheus} through
 * {@link io.cutover.provider.prometheus.PrometheusMetricSourceProvider} or build it with
 * {@link io.cutover.provider.prometheus.PrometheusMetricSource#builder}.
 */
@NullMarked
package io.cutover.provider.prometheus;

import org.jspecify.annotations.NullMarked;
