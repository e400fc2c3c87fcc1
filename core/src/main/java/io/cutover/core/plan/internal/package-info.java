// SPDX-License-Identifier: Apache-2.0
/**
 * Implementation details of the plan JSON codec: a tree reader that tracks JSON paths and collects
 * every problem it finds. No compatibility promise: use {@link io.cutover.core.plan.PlanJson}.
 */
@NullMarked
package io.cutover.core.plan.internal;

import org.jspecify.annotations.NullMarked;
