// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate.internal;

import io.cutover.api.InvalidSpecException;
import io.cutover.core.internal.provider.MapProviderConfig;
import io.cutover.spi.HealthGate;
import io.cutover.spi.HealthGateProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Configuration helpers for the gate providers: clocks, nested gates, lists of objects. */
public final class Configs {
  private Configs() {}

  /**
   * The {@code clock} entry when code put an {@link InstantSource} there (kept for configurations
   * written before the context carried the clock); the context's clock otherwise, which is the
   * registry's (the system clock unless the host set one).
   */
  public static InstantSource clock(ProviderConfig config, ProviderContext context) {
    Object c = config.asMap().get("clock");
    if (c == null) {
      return context.clock();
    }
    if (c instanceof InstantSource s) {
      return s;
    }
    throw new InvalidSpecException(
        config.pathOf("clock"),
        "is not a clock",
        "leave it out (the system clock), or pass a java.time.InstantSource from code");
  }

  /** The objects of a list-valued key, each as a configuration rooted at {@code key[i]}. */
  public static List<ProviderConfig> objects(ProviderConfig config, String key) {
    Object v = config.asMap().get(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> list)) {
      throw new InvalidSpecException(
          config.pathOf(key), "is not a list", "write a list of objects");
    }
    List<ProviderConfig> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String path = config.pathOf(key) + "[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?> m)) {
        throw new InvalidSpecException(path, "is not an object", "write an object");
      }
      Map<String, Object> copy = new LinkedHashMap<>();
      m.forEach((k, val) -> copy.put(String.valueOf(k), val));
      out.add(MapProviderConfig.of(config.provider(), path, copy));
    }
    return out;
  }

  /** Creates a nested gate from {@code {type: NAME, ...}} through the context's registry. */
  public static HealthGate gate(ProviderConfig config, ProviderContext context) {
    String type = config.requireString("type");
    Map<String, Object> rest = new LinkedHashMap<>(config.asMap());
    rest.remove("type");
    Set<String> known = context.names(HealthGateProvider.class);
    if (!known.contains(type)) {
      throw new InvalidSpecException(
          config.pathOf("type"),
          "names '" + type + "', which is not a registered (or" + " discovered) gate provider",
          "use one of " + known);
    }
    return context.create(
        HealthGateProvider.class, type, MapProviderConfig.of(type, config.path(), rest));
  }
}
