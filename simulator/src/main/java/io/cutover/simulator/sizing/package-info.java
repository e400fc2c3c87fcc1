// SPDX-License-Identifier: Apache-2.0
/**
 * What-if canary sizing: a plan's own steps and gates run under virtual time against synthetic
 * traffic, over many seeded runs, to answer "would this rollout catch a +1 % error regression, how
 * fast, and how many users would the bad release have served by then?" ({@link
 * io.cutover.simulator.sizing.WhatIf}). Gate decisions are taken by the real gates on sampled
 * request counts ({@link io.cutover.simulator.sizing.SyntheticMetrics}), not per request, so
 * thousands of runs take about a second. No test framework and no I/O here: {@code cutover plan
 * --what-if} runs on this package. docs/sizing.md explains the model and its limits.
 */
@NullMarked
package io.cutover.simulator.sizing;

import org.jspecify.annotations.NullMarked;
