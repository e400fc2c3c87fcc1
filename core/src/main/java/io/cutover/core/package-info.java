// SPDX-License-Identifier: Apache-2.0
/**
 * The embeddable engine's public face: {@link io.cutover.core.Cutover} (the entry point, built with a
 * builder that wires providers, journal, clock, scheduler and telemetry), the {@link io.cutover.core.Rollout}
 * handle, {@link io.cutover.core.RolloutOptions}, per-provider {@link io.cutover.core.ResiliencePolicy}, and
 * the {@link io.cutover.core.ProviderRegistry} that finds providers with {@link java.util.ServiceLoader}
 * or takes them explicitly.
 */
@NullMarked
package io.cutover.core;

import org.jspecify.annotations.NullMarked;
