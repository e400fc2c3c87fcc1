package io.cutover.core.gate.internal;

import io.cutover.api.InvalidSpecException;
import io.cutover.spi.MetricSource;
import io.cutover.spi.MetricSourceProvider;
import io.cutover.spi.ProviderConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** Creates the metric source a gate's configuration names in its nested {@code source} object. */
public final class MetricSources {
  private MetricSources() {}

  /**
   * Reads {@code source: {type: prometheus, ...}} from a gate's configuration and creates that source
   * with the remaining keys, through {@link ServiceLoader}.
   *
   * @throws InvalidSpecException naming the path when {@code source} or its {@code type} is missing or unknown
   */
  public static MetricSource fromConfig(ProviderConfig gateConfig, String key) {
    ProviderConfig src = gateConfig.getConfig(key);
    if (src.keys().isEmpty()) {
      throw new InvalidSpecException(gateConfig.pathOf(key), "is missing",
          "give the metric source, e.g. {type: prometheus, url: http://127.0.0.1:9090}");
    }
    String type = src.requireString("type");
    Map<String, Object> rest = new LinkedHashMap<>(src.asMap());
    rest.remove("type");
    TreeSet<String> known = new TreeSet<>();
    for (MetricSourceProvider p : ServiceLoader.load(MetricSourceProvider.class, MetricSources.class.getClassLoader())) {
      if (p.name().equals(type)) {
        return p.create(ProviderConfig.of(type, src.path(), rest));
      }
      known.add(p.name());
    }
    throw new InvalidSpecException(src.pathOf("type"), "names '" + type + "', which no metric source provider on the class path has",
        "use one of " + known + " or add the provider's module (e.g. cutover-provider-prometheus) to the class path");
  }
}
