// SPDX-License-Identifier: Apache-2.0
/**
 * The pieces behind the {@link io.cutover.core.Cutover} facade, each with one job: plan validation
 * ({@code PlanValidator}), what the engine knows about each service ({@code ReleaseHistory}), the rollouts
 * this engine drives ({@code LiveRollouts}), replay of the journal and stale-lease cleanup
 * ({@code JournalRecovery}), and artifact pins run on the provider executor ({@code ArtifactPins}). No
 * compatibility promise: use {@link io.cutover.core.Cutover}.
 */
@NullMarked
package io.cutover.core.internal.facade;

import org.jspecify.annotations.NullMarked;
