// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import io.cutover.api.InvalidSpecException;
import java.time.InstantSource;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the host gives a {@link ProviderFactory} besides its configuration: the registry it was
 * found in (so a provider that composes others, such as a gate reading a metric source, creates
 * them the same way the host does, and never runs its own {@link java.util.ServiceLoader}), the
 * clock, a scheduler, and host components such as OpenTelemetry.
 *
 * <p><b>Telemetry and other components.</b> {@code cutover-api} depends on nothing third-party, so
 * this interface names no OpenTelemetry type. A provider that emits telemetry depends on {@code
 * opentelemetry-api} itself and asks {@code
 * context.lookup(io.opentelemetry.api.OpenTelemetry.class)}; {@code cutover-core}'s context always
 * answers it (a no-op instance unless the host configured one). The same typed look-up reaches
 * anything else the host registered ({@code ProviderRegistry.withComponent}).
 *
 * <p><b>Evolution.</b> Implemented by {@code cutover-core} (see {@code
 * ProviderRegistry.context()}); methods added later come with defaults, so a hand-written context
 * in a test keeps compiling.
 *
 * <p><b>Threading.</b> Thread-safe; a factory may keep the context and use it from any thread for
 * the provider's lifetime.
 */
public interface ProviderContext {

  /**
   * The wall clock providers must use instead of {@code System.currentTimeMillis()} (virtual under
   * the testkit).
   */
  InstantSource clock();

  /**
   * A scheduler for short, non-blocking tasks: retry backoffs, timeouts, polls. Never block on it
   * (no I/O, no sleeping); hand blocking work to your own executor. Do not shut it down: the host
   * owns it.
   */
  ScheduledExecutorService scheduler();

  /**
   * Creates a provider of another kind through the host's registry, with this context: e.g. a gate
   * creating the metric source named in its configuration with {@code
   * create(MetricSourceProvider.class, "prometheus", sourceConfig)}.
   *
   * @param kind the factory interface, e.g. {@code MetricSourceProvider.class}
   * @param name the provider's name, e.g. {@code prometheus}
   * @param config the provider's configuration, rooted where it sits in the user's file
   * @throws InvalidSpecException if no such provider is registered (or discovered, where the host
   *     enabled discovery), naming {@code config}'s path, or if the configuration is wrong
   */
  <T> T create(Class<? extends ProviderFactory<T>> kind, String name, ProviderConfig config);

  /**
   * The names of the providers of a kind that {@link #create} can reach, e.g. for an error message.
   */
  Set<String> names(Class<? extends ProviderFactory<?>> kind);

  /**
   * A host component by type: {@code io.opentelemetry.api.OpenTelemetry} from {@code cutover-core},
   * or what the host registered. Empty when the host has none of that type.
   */
  <T> Optional<T> lookup(Class<T> type);
}
