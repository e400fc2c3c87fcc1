// SPDX-License-Identifier: Apache-2.0
/**
 * What the integration tests and benchmarks share, and no published jar carries: private servers on
 * 127.0.0.1 (NGINX, an OCI registry, Prometheus; HAProxy is in {@code cutover-samples} because the demo
 * runs it), the rule for missing binaries, cosign-format signing fixtures and small helpers. Unpublished
 * ({@code cutover-test-fixtures}, not in the BOM); used at test scope and by the benchmarks. It depends on
 * no Cutover module but {@code cutover-api} and {@code cutover-samples}, so that core's own tests can use
 * it without a cycle.
 */
@NullMarked
package io.cutover.testfixtures;

import org.jspecify.annotations.NullMarked;
