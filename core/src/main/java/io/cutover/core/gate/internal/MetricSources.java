// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate.internal;

import io.cutover.api.InvalidSpecException;
import io.cutover.core.internal.provider.MapProviderConfig;
import io.cutover.spi.MetricSource;
import io.cutover.spi.MetricSourceProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Creates the metric source a gate's configuration names in its nested {@code source} object. */
public final class MetricSources {
  private MetricSources() {}

  /**
   * Reads {@code source: {type: prometheus, ...}} from a gate's configuration and creates that
   * source with the remaining keys through the context's registry, so it obeys the host's
   * registrations and discovery setting (no {@link java.util.ServiceLoader} of its own).
   *
   * @throws InvalidSpecException naming the path when {@code source} or its {@code type} is missing
   *     or unknown
   */
  public static MetricSource fromConfig(
      ProviderConfig gateConfig, String key, ProviderContext context) {
    ProviderConfig src = gateConfig.getConfig(key);
    if (src.keys().isEmpty()) {
      throw new InvalidSpecException(
          gateConfig.pathOf(key),
          "is missing",
          "give the metric source, e.g. {type: prometheus, url: http://127.0.0.1:9090}");
    }
    String type = src.requireString("type");
    Map<String, Object> rest = new LinkedHashMap<>(src.asMap());
    rest.remove("type");
    Set<String> known = context.names(MetricSourceProvider.class);
    if (!known.contains(type)) {
      throw new InvalidSpecException(
          src.pathOf("type"),
          "names '"
              + type
              + "', which is not a registered (or discovered)"
              + " metric source provider",
          "use one of "
              + known
              + ", or register the provider (or enable discovery with"
              + " its module, e.g. cutover-provider-prometheus, on the class path)");
    }
    return context.create(
        MetricSourceProvider.class, type, MapProviderConfig.of(type, src.path(), rest));
  }
}
