// SPDX-License-Identifier: Apache-2.0
/**
 * The parts of {@code cutover demo} that are not the command itself: the demo's HTML report (its
 * timeline, charts and tables are {@link io.cutover.cli.internal.report}'s, shared with {@code
 * cutover report}). No compatibility promise.
 */
@NullMarked
package io.cutover.cli.internal.demo;

import org.jspecify.annotations.NullMarked;
