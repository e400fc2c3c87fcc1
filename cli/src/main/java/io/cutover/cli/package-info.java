// SPDX-License-Identifier: Apache-2.0
/**
 * The {@code cutover} command line: {@code simulate} runs a canary rollout under virtual time with the
 * testkit's fakes (no real processes or traffic), printing each step as it happens.
 */
@NullMarked
package io.cutover.cli;

import org.jspecify.annotations.NullMarked;
