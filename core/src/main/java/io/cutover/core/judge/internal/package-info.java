// SPDX-License-Identifier: Apache-2.0
/**
 * Building blocks of the canary judge: the normal distribution, the exact null distribution of the
 * Mann-Whitney U statistic, merge-based rank sums, pairwise-difference selection, and the reading of
 * metric settings from configuration. Pure Java, allocation-light, no compatibility promise.
 */
@NullMarked
package io.cutover.core.judge.internal;

import org.jspecify.annotations.NullMarked;
