// SPDX-License-Identifier: Apache-2.0
/**
 * The observable life of a rollout: its {@link io.cutover.api.rollout.RolloutState}, a
 * {@link io.cutover.api.rollout.RolloutStatus} snapshot, and the {@link io.cutover.api.rollout.RolloutEvent}s
 * delivered to {@link io.cutover.api.rollout.RolloutListener}s.
 */
@NullMarked
package io.cutover.api.rollout;

import org.jspecify.annotations.NullMarked;
