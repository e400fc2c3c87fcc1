// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.provider;

import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import io.cutover.spi.ProviderFactory;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * The {@link ProviderContext} of a {@code ProviderRegistry}: look-ups go back to the registry (so
 * nested providers obey its explicit registrations and its discovery setting), components are a
 * typed map.
 */
public final class RegistryContext implements ProviderContext {

  /** The registry operations the context needs; implemented by {@code ProviderRegistry}. */
  public interface Lookup {
    /** Creates a provider with this context. */
    <T> T create(
        Class<? extends ProviderFactory<T>> kind,
        String name,
        ProviderConfig config,
        ProviderContext context);

    /** The names reachable for a kind. */
    Set<String> names(Class<? extends ProviderFactory<?>> kind);
  }

  private final Lookup registry;
  private final InstantSource clock;
  private final Supplier<ScheduledExecutorService> scheduler;
  private final Map<Class<?>, Object> components;

  /**
   * @param registry where {@link #create} and {@link #names} go
   * @param clock the wall clock
   * @param scheduler the scheduler, asked for on first use
   * @param components host components by type; each value is an instance of its key
   */
  public RegistryContext(
      Lookup registry,
      InstantSource clock,
      Supplier<ScheduledExecutorService> scheduler,
      Map<Class<?>, Object> components) {
    this.registry = registry;
    this.clock = clock;
    this.scheduler = scheduler;
    this.components = Map.copyOf(components);
  }

  @Override
  public InstantSource clock() {
    return clock;
  }

  @Override
  public ScheduledExecutorService scheduler() {
    return scheduler.get();
  }

  @Override
  public <T> T create(
      Class<? extends ProviderFactory<T>> kind, String name, ProviderConfig config) {
    return registry.create(kind, name, config, this);
  }

  @Override
  public Set<String> names(Class<? extends ProviderFactory<?>> kind) {
    return registry.names(kind);
  }

  @Override
  public <T> Optional<T> lookup(Class<T> type) {
    return Optional.ofNullable(type.cast(components.get(type)));
  }

  @Override
  public String toString() {
    return "ProviderContext{clock=" + clock + ", components=" + components.keySet() + "}";
  }
}
