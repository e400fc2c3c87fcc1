// SPDX-License-Identifier: Apache-2.0
/**
 * Benchmarks: harnesses with a {@code main} that print one {@code BENCH <name> <value> <unit>} line per
 * figure, each measured against a baseline in the same run. Run with {@code ./benchmarks/run <name>}.
 */
@NullMarked
package io.cutover.benchmarks;

import org.jspecify.annotations.NullMarked;
