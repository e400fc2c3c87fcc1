// SPDX-License-Identifier: Apache-2.0
/**
 * The service provider interfaces: {@link io.cutover.spi.ArtifactStore}, {@link io.cutover.spi.Fleet},
 * {@link io.cutover.spi.Router}, {@link io.cutover.spi.HealthGate}, {@link io.cutover.spi.MetricSource},
 * {@link io.cutover.spi.RolloutStrategy} and {@link io.cutover.spi.Journal}, and the provider factories
 * through which implementations are found ({@link java.util.ServiceLoader}) or registered explicitly. A
 * factory receives a {@link io.cutover.spi.ProviderConfig} (its settings) and a
 * {@link io.cutover.spi.ProviderContext} (the host's clock, scheduler, registry and components); both are
 * interfaces implemented by {@code cutover-core}, so they can grow without breaking providers.
 *
 * <p>Every SPI method may block; the engine calls providers off its state-machine thread, with retries,
 * a circuit breaker and a time limit around each call. Every side-effecting call carries a deterministic
 * {@link io.cutover.spi.OperationId} (opaque: compare, never parse): a provider that sees the same id twice
 * must not repeat the effect. Helpers for implementers that are not contracts live in
 * {@code cutover-provider-support}.
 * Implementations prove their behaviour by passing the testkit's contract kits.
 */
@NullMarked
package io.cutover.spi;

import org.jspecify.annotations.NullMarked;
