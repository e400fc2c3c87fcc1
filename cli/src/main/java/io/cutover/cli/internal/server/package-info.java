// SPDX-License-Identifier: Apache-2.0
/**
 * The parts of {@code cutover serve}: its configuration file, one engine per service over one shared
 * journal, the admin HTTP API (bearer token, size limits, optional TLS) and the Prometheus exposition
 * of the engines' OpenTelemetry instruments. No compatibility promise: the API's contract is the
 * HTTP interface documented in docs/cli.md.
 */
@NullMarked
package io.cutover.cli.internal.server;

import org.jspecify.annotations.NullMarked;
