/**
 * The service provider interfaces: {@link io.cutover.spi.ArtifactStore}, {@link io.cutover.spi.Fleet},
 * {@link io.cutover.spi.Router}, {@link io.cutover.spi.HealthGate}, {@link io.cutover.spi.MetricSource},
 * {@link io.cutover.spi.RolloutStrategy} and {@link io.cutover.spi.Journal}, and the provider factories
 * through which implementations are found ({@link java.util.ServiceLoader}) or registered explicitly.
 *
 * <p>Every SPI method may block; the engine calls providers off its state-machine thread, with retries,
 * a circuit breaker and a time limit around each call. Every side-effecting call carries a deterministic
 * {@link io.cutover.spi.OperationId}: a provider that sees the same id twice must not repeat the effect.
 * Implementations prove their behaviour by passing the testkit's contract kits.
 */
@NullMarked
package io.cutover.spi;

import org.jspecify.annotations.NullMarked;
