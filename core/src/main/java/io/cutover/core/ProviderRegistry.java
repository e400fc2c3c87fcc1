// SPDX-License-Identifier: Apache-2.0
package io.cutover.core;

import io.cutover.api.InvalidSpecException;
import io.cutover.core.internal.provider.RegistryContext;
import io.cutover.core.internal.provider.SharedScheduler;
import io.cutover.spi.ArtifactStore;
import io.cutover.spi.ArtifactStoreProvider;
import io.cutover.spi.Fleet;
import io.cutover.spi.FleetProvider;
import io.cutover.spi.HealthGate;
import io.cutover.spi.HealthGateProvider;
import io.cutover.spi.Journal;
import io.cutover.spi.JournalProvider;
import io.cutover.spi.MetricSource;
import io.cutover.spi.MetricSourceProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import io.cutover.spi.ProviderFactory;
import io.cutover.spi.Router;
import io.cutover.spi.RouterProvider;
import io.opentelemetry.api.OpenTelemetry;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * Finds provider factories by name: those registered explicitly first, then (if enabled) those on
 * the class or module path through {@link ServiceLoader}. Explicit registration wins on a name
 * clash, so a platform can override a bundled provider deliberately. Discovery is never implicit:
 * call {@link #withDiscovery()} to opt in (jdbi's lesson: implicit plugin loading surprises users).
 *
 * <p>Only the selected factory's {@code create} is called; discovery merely instantiates factories,
 * which must be cheap. Every factory receives the registry's {@link #context()}: its clock ({@link
 * #withClock}, default the system clock), scheduler ({@link #withScheduler}, default one shared
 * daemon thread), OpenTelemetry ({@link #withOpenTelemetry}, default no-op) and other components
 * ({@link #withComponent}), and this registry for the providers a provider composes (a gate's
 * metric source), which therefore obey the same registrations and discovery setting.
 *
 * <p>Thread-safe after construction; registration and {@code with*} methods are for set-up time.
 */
public final class ProviderRegistry {
  private final Map<Class<?>, Map<String, ProviderFactory<?>>> explicit = new LinkedHashMap<>();
  private final Map<Class<?>, Object> components = new LinkedHashMap<>();
  private volatile boolean discovery;
  private volatile InstantSource clock = InstantSource.system();
  private volatile @Nullable ScheduledExecutorService scheduler;
  private volatile @Nullable ProviderContext context;

  private ProviderRegistry() {}

  /** An empty registry without discovery. */
  public static ProviderRegistry create() {
    return new ProviderRegistry();
  }

  /** Enables {@link ServiceLoader} discovery of factories on the class/module path. */
  public ProviderRegistry withDiscovery() {
    this.discovery = true;
    return this;
  }

  /**
   * The clock handed to factories (default: the system clock); the engine's, for virtual time in
   * tests.
   */
  public ProviderRegistry withClock(InstantSource clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.context = null;
    return this;
  }

  /**
   * The scheduler handed to factories for short, non-blocking tasks; the registry does not shut it
   * down. Default: one daemon thread shared by the JVM, started on first use.
   */
  public ProviderRegistry withScheduler(ScheduledExecutorService scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.context = null;
    return this;
  }

  /**
   * The OpenTelemetry that factories find with {@code context.lookup(OpenTelemetry.class)}; default
   * no-op.
   */
  public ProviderRegistry withOpenTelemetry(OpenTelemetry openTelemetry) {
    return withComponent(OpenTelemetry.class, openTelemetry);
  }

  /**
   * A host component that factories find with {@code context.lookup(type)}: a shared HTTP client, a
   * credentials source, anything a platform's own providers need. A later call for the same type
   * replaces it.
   */
  public synchronized <T> ProviderRegistry withComponent(Class<T> type, T component) {
    components.put(
        Objects.requireNonNull(type, "type"),
        type.cast(Objects.requireNonNull(component, "component")));
    this.context = null;
    return this;
  }

  /**
   * The context every factory created through this registry receives; also what a test passes when
   * it calls a factory's {@code create} directly, e.g. {@code
   * ProviderRegistry.create().withDiscovery().context()}.
   */
  public synchronized ProviderContext context() {
    ProviderContext c = context;
    if (c == null) {
      Map<Class<?>, Object> all = new LinkedHashMap<>();
      all.put(OpenTelemetry.class, OpenTelemetry.noop());
      all.putAll(components);
      ScheduledExecutorService s = scheduler;
      c = new RegistryContext(new Lookup(), clock, s != null ? () -> s : SharedScheduler::get, all);
      context = c;
    }
    return c;
  }

  /**
   * Registers a factory explicitly.
   *
   * @throws InvalidSpecException if another factory of the same kind is already registered under
   *     the name
   */
  public synchronized ProviderRegistry register(ProviderFactory<?> factory) {
    Class<?> kind = kindOf(factory);
    Map<String, ProviderFactory<?>> byName =
        explicit.computeIfAbsent(kind, k -> new LinkedHashMap<>());
    ProviderFactory<?> previous = byName.putIfAbsent(factory.name(), factory);
    if (previous != null && previous != factory) {
      throw new InvalidSpecException(
          "providers." + factory.name(),
          "two "
              + kind.getSimpleName()
              + "s are registered as '"
              + factory.name()
              + "': "
              + previous.getClass().getName()
              + " and "
              + factory.getClass().getName(),
          "register each provider name once");
    }
    return this;
  }

  /** Creates a router with the named provider. */
  public Router router(String name, ProviderConfig config) {
    return create(RouterProvider.class, name, config);
  }

  /** Creates a fleet with the named provider. */
  public Fleet fleet(String name, ProviderConfig config) {
    return create(FleetProvider.class, name, config);
  }

  /** Creates an artifact store with the named provider. */
  public ArtifactStore artifactStore(String name, ProviderConfig config) {
    return create(ArtifactStoreProvider.class, name, config);
  }

  /** Creates a health gate with the named provider. */
  public HealthGate healthGate(String name, ProviderConfig config) {
    return create(HealthGateProvider.class, name, config);
  }

  /** Creates a metric source with the named provider. */
  public MetricSource metricSource(String name, ProviderConfig config) {
    return create(MetricSourceProvider.class, name, config);
  }

  /** Creates a journal with the named provider. */
  public Journal journal(String name, ProviderConfig config) {
    return create(JournalProvider.class, name, config);
  }

  /** Names available for a kind of provider, e.g. {@code names(RouterProvider.class)}. */
  public synchronized Set<String> names(Class<? extends ProviderFactory<?>> kind) {
    Set<String> names = new TreeSet<>(explicit.getOrDefault(kind, Map.of()).keySet());
    if (discovery) {
      for (ProviderFactory<?> f : ServiceLoader.load(kind, classLoader())) {
        names.add(f.name());
      }
    }
    return names;
  }

  private <T> T create(
      Class<? extends ProviderFactory<T>> kind, String name, ProviderConfig config) {
    return create(kind, name, config, context());
  }

  // Not synchronized around create(): a factory may call back into the registry (nested providers)
  // from
  // another thread, and creation may do I/O.
  @SuppressWarnings("unchecked")
  private <T> T create(
      Class<? extends ProviderFactory<T>> kind,
      String name,
      ProviderConfig config,
      ProviderContext context) {
    ProviderFactory<?> f = find(kind, name);
    if (f == null) {
      throw new InvalidSpecException(
          config.path(),
          "no " + kind.getSimpleName() + " named '" + name + "' (available: " + names(kind) + ")",
          discovery
              ? "add the provider's module to the class path or register it explicitly"
              : "register it with ProviderRegistry.register(...) or enable withDiscovery()");
    }
    return (T) f.create(config, context);
  }

  private synchronized @Nullable ProviderFactory<?> find(
      Class<? extends ProviderFactory<?>> kind, String name) {
    ProviderFactory<?> f = explicit.getOrDefault(kind, Map.of()).get(name);
    if (f == null && discovery) {
      for (ProviderFactory<?> candidate : ServiceLoader.load(kind, classLoader())) {
        if (candidate.name().equals(name)) {
          f = candidate;
          break;
        }
      }
    }
    return f;
  }

  /** The registry as the context sees it. */
  private final class Lookup implements RegistryContext.Lookup {
    @Override
    public <T> T create(
        Class<? extends ProviderFactory<T>> kind,
        String name,
        ProviderConfig config,
        ProviderContext context) {
      return ProviderRegistry.this.create(kind, name, config, context);
    }

    @Override
    public Set<String> names(Class<? extends ProviderFactory<?>> kind) {
      return ProviderRegistry.this.names(kind);
    }
  }

  private static ClassLoader classLoader() {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    return cl != null ? cl : ProviderRegistry.class.getClassLoader();
  }

  private static Class<?> kindOf(ProviderFactory<?> f) {
    for (Class<?> k :
        new Class<?>[] {
          RouterProvider.class,
          FleetProvider.class,
          ArtifactStoreProvider.class,
          HealthGateProvider.class,
          MetricSourceProvider.class,
          JournalProvider.class
        }) {
      if (k.isInstance(f)) {
        return k;
      }
    }
    throw new InvalidSpecException(
        "providers." + f.name(),
        f.getClass().getName() + " implements no provider interface",
        "implement RouterProvider, FleetProvider, ArtifactStoreProvider,"
            + " HealthGateProvider, MetricSourceProvider or JournalProvider");
  }
}
