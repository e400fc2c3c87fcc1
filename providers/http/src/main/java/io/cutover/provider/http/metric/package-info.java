// SPDX-License-Identifier: Apache-2.0
/**
 * The web metric source (Argo Rollouts' "web" provider): {@link
 * io.cutover.provider.http.metric.WebMetricSource} asks any HTTP/JSON endpoint for a value, with
 * the release id and the window templated into the URL and body, and reads the value with a
 * JSONPath; {@link io.cutover.provider.http.metric.WebMetricSourceProvider} creates it from
 * configuration (provider name {@code web}). OkHttp for transport, Resilience4j for retries and
 * the circuit breaker, Jayway JsonPath over Jackson for extraction.
 */
@NullMarked
package io.cutover.provider.http.metric;

import org.jspecify.annotations.NullMarked;
