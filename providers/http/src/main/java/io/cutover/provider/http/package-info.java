// SPDX-License-Identifier: Apache-2.0
/**
 * HTTP gates: {@link io.cutover.provider.http.HttpProbeGate} (each new instance answers its readiness
 * endpoint before it gets traffic) and {@link io.cutover.provider.http.WebhookGate} (a signed JSON
 * webhook, also used for Flagger's lifecycle hook kinds with per-kind failure semantics, see
 * {@link io.cutover.provider.http.HookKind}). OkHttp for transport, Resilience4j for retries.
 */
@NullMarked
package io.cutover.provider.http;

import org.jspecify.annotations.NullMarked;
