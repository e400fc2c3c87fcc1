// SPDX-License-Identifier: Apache-2.0
/**
 * The built-in rollout strategies: {@link io.cutover.core.strategy.CanaryStrategy canary} step lists,
 * {@link io.cutover.core.strategy.LinearStrategy linear} traffic increments,
 * {@link io.cutover.core.strategy.BlueGreenStrategy blue/green},
 * {@link io.cutover.core.strategy.RollingStrategy rolling} batches and
 * {@link io.cutover.core.strategy.RecreateStrategy recreate}, reached through
 * {@link io.cutover.core.strategy.Strategies}. Each is an immutable, pure
 * {@link io.cutover.spi.RolloutStrategy}: its builder validates every option at once and names each
 * violation by path, and {@code plan(...)} turns a request into a {@link io.cutover.api.plan.Plan} with
 * its rollback steps, without I/O, clock or randomness.
 */
@NullMarked
package io.cutover.core.strategy;

import org.jspecify.annotations.NullMarked;
