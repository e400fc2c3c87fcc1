// SPDX-License-Identifier: Apache-2.0
/**
 * Implementation details of the built-in strategies: the canary step compiler shared by canary and
 * linear rollouts, rollback and first-deployment plans, and the violation collector the builders use.
 * No compatibility promise: use {@link io.cutover.core.strategy.Strategies} instead.
 */
@NullMarked
package io.cutover.core.strategy.internal;

import org.jspecify.annotations.NullMarked;
