// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.metrics;

import io.cutover.spi.MetricSource;
import io.cutover.spi.MetricSourceProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import java.util.Set;

/**
 * Creates {@link InProcessMetricSource}s from configuration; provider name {@code in-process}. The
 * only key, {@code registry} (default {@code default}), names the {@link InProcessMetrics#shared
 * shared} registry to read. Stateless and thread-safe.
 */
public final class InProcessMetricSourceProvider implements MetricSourceProvider {
  /** Creates the factory; no I/O. */
  public InProcessMetricSourceProvider() {}

  @Override
  public String name() {
    return "in-process";
  }

  @Override
  public MetricSource create(ProviderConfig config, ProviderContext context) {
    config.requireOnly(Set.of("registry"));
    return InProcessMetricSource.of(
        InProcessMetrics.shared(config.getString("registry", "default")));
  }
}
