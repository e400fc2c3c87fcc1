// SPDX-License-Identifier: Apache-2.0
/**
 * The operator verbs' side of the admin API: an HTTP client that sends the bearer token, turns
 * answers into JSON and every failure into one line with the exit code that fits. No compatibility
 * promise.
 */
@NullMarked
package io.cutover.cli.internal.client;

import org.jspecify.annotations.NullMarked;
