// SPDX-License-Identifier: Apache-2.0
/**
 * The parts of {@code cutover demo} that are not the command itself: the sampled timeline of weights and
 * error rates, and the HTML report with its SVG charts. No compatibility promise.
 */
@NullMarked
package io.cutover.cli.internal.demo;

import org.jspecify.annotations.NullMarked;
