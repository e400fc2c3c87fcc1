package io.cutover.core;

import io.cutover.api.InvalidSpecException;
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
import io.cutover.spi.ProviderFactory;
import io.cutover.spi.Router;
import io.cutover.spi.RouterProvider;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds provider factories by name: those registered explicitly first, then (if enabled) those on the
 * class or module path through {@link ServiceLoader}. Explicit registration wins on a name clash, so a
 * platform can override a bundled provider deliberately. Discovery is never implicit: call
 * {@link #withDiscovery()} to opt in (jdbi's lesson: implicit plugin loading surprises users).
 *
 * <p>Only the selected factory's {@code create} is called; discovery merely instantiates factories,
 * which must be cheap. Thread-safe after construction; registration methods are for set-up time.
 */
public final class ProviderRegistry {
  private final Map<Class<?>, Map<String, ProviderFactory<?>>> explicit = new LinkedHashMap<>();
  private volatile boolean discovery;

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
   * Registers a factory explicitly.
   *
   * @throws InvalidSpecException if another factory of the same kind is already registered under the name
   */
  public synchronized ProviderRegistry register(ProviderFactory<?> factory) {
    Class<?> kind = kindOf(factory);
    Map<String, ProviderFactory<?>> byName = explicit.computeIfAbsent(kind, k -> new LinkedHashMap<>());
    ProviderFactory<?> previous = byName.putIfAbsent(factory.name(), factory);
    if (previous != null && previous != factory) {
      throw new InvalidSpecException("providers." + factory.name(),
          "two " + kind.getSimpleName() + "s are registered as '" + factory.name() + "': "
              + previous.getClass().getName() + " and " + factory.getClass().getName(),
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

  @SuppressWarnings("unchecked")
  private synchronized <T, F extends ProviderFactory<T>> T create(Class<F> kind, String name, ProviderConfig config) {
    ProviderFactory<?> f = explicit.getOrDefault(kind, Map.of()).get(name);
    if (f == null && discovery) {
      for (F candidate : ServiceLoader.load(kind, classLoader())) {
        if (candidate.name().equals(name)) {
          f = candidate;
          break;
        }
      }
    }
    if (f == null) {
      throw new InvalidSpecException(config.path(),
          "no " + kind.getSimpleName() + " named '" + name + "' (available: " + names(kind) + ")",
          discovery ? "add the provider's module to the class path or register it explicitly"
              : "register it with ProviderRegistry.register(...) or enable withDiscovery()");
    }
    return (T) f.create(config);
  }

  private static ClassLoader classLoader() {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    return cl != null ? cl : ProviderRegistry.class.getClassLoader();
  }

  private static Class<?> kindOf(ProviderFactory<?> f) {
    for (Class<?> k : new Class<?>[] {RouterProvider.class, FleetProvider.class, ArtifactStoreProvider.class,
        HealthGateProvider.class, MetricSourceProvider.class, JournalProvider.class}) {
      if (k.isInstance(f)) {
        return k;
      }
    }
    throw new InvalidSpecException("providers." + f.name(), f.getClass().getName()
        + " implements no provider interface", "implement RouterProvider, FleetProvider, ArtifactStoreProvider,"
        + " HealthGateProvider, MetricSourceProvider or JournalProvider");
  }
}
