package io.cutover.core.gate.internal;

import io.cutover.api.InvalidSpecException;
import io.cutover.spi.HealthGate;
import io.cutover.spi.HealthGateProvider;
import io.cutover.spi.ProviderConfig;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** Configuration helpers for the gate providers: clocks, nested gates, lists of objects. */
public final class Configs {
  private Configs() {}

  /**
   * The {@code clock} entry when code put an {@link InstantSource} there (the engine passes its own, so
   * virtual time reaches gates created from configuration); the system clock otherwise.
   */
  public static InstantSource clock(ProviderConfig config) {
    Object c = config.asMap().get("clock");
    if (c == null) {
      return InstantSource.system();
    }
    if (c instanceof InstantSource s) {
      return s;
    }
    throw new InvalidSpecException(config.pathOf("clock"), "is not a clock", "leave it out (the system clock), or pass a java.time.InstantSource from code");
  }

  /** The objects of a list-valued key, each as a configuration rooted at {@code key[i]}. */
  public static List<ProviderConfig> objects(ProviderConfig config, String key) {
    Object v = config.asMap().get(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> list)) {
      throw new InvalidSpecException(config.pathOf(key), "is not a list", "write a list of objects");
    }
    List<ProviderConfig> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String path = config.pathOf(key) + "[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?> m)) {
        throw new InvalidSpecException(path, "is not an object", "write an object");
      }
      Map<String, Object> copy = new LinkedHashMap<>();
      m.forEach((k, val) -> copy.put(String.valueOf(k), val));
      out.add(ProviderConfig.of(config.provider(), path, copy));
    }
    return out;
  }

  /** Creates a nested gate from {@code {type: NAME, ...}} through {@link ServiceLoader}. */
  public static HealthGate gate(ProviderConfig config) {
    String type = config.requireString("type");
    Map<String, Object> rest = new LinkedHashMap<>(config.asMap());
    rest.remove("type");
    TreeSet<String> known = new TreeSet<>();
    for (HealthGateProvider p : ServiceLoader.load(HealthGateProvider.class, Configs.class.getClassLoader())) {
      if (p.name().equals(type)) {
        return p.create(ProviderConfig.of(type, config.path(), rest));
      }
      known.add(p.name());
    }
    throw new InvalidSpecException(config.pathOf("type"), "names '" + type + "', which no gate provider on the class path has",
        "use one of " + known);
  }
}
