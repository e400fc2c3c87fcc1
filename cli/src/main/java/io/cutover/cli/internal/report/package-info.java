// SPDX-License-Identifier: Apache-2.0
/**
 * HTML reports of rollouts: the timeline of weights (and, in the demo, error rates), the SVG charts
 * and tables both reports share, and {@code cutover report}'s report of any rollout rebuilt from its
 * journal records. Self-contained HTML: no script, no external resource; everything that comes from
 * a journal or a provider is escaped. No compatibility promise.
 */
@NullMarked
package io.cutover.cli.internal.report;

import org.jspecify.annotations.NullMarked;
