// SPDX-License-Identifier: Apache-2.0
/**
 * Plans as documents: {@link io.cutover.core.plan.PlanJson} writes a {@link io.cutover.api.plan.Plan}
 * (its releases, every step and its rollback) as JSON and reads it back, so that a plan can be reviewed,
 * stored in a journal, diffed or sent to another process, and a plan that was edited into something
 * invalid is refused with the JSON path of every problem.
 */
@NullMarked
package io.cutover.core.plan;

import org.jspecify.annotations.NullMarked;
