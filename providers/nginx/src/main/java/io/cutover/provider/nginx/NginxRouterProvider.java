// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.nginx;

import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import io.cutover.spi.Router;
import io.cutover.spi.RouterProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Creates a {@link NginxRouter} from configuration ({@code $.providers.nginx}): {@code config} (the
 * main configuration file), {@code prefix}, {@code upstreamDir} and {@code statusPort} (all
 * required), {@code binary} (default: nginx on the PATH) and {@code reloadTimeout} (default 10s).
 */
public final class NginxRouterProvider implements RouterProvider {
  /** For {@link java.util.ServiceLoader}. */
  public NginxRouterProvider() {}

  @Override
  public String name() {
    return NginxRouter.PROVIDER;
  }

  @Override
  public Router create(ProviderConfig config, ProviderContext context) {
    config.requireOnly(
        Set.of("config", "prefix", "upstreamDir", "statusPort", "binary", "reloadTimeout"));
    NginxRouter.Builder b =
        NginxRouter.builder(
                Path.of(config.requireString("config")),
                Path.of(config.requireString("prefix")),
                Path.of(config.requireString("upstreamDir")),
                config.requireInt("statusPort"))
            .reloadTimeout(config.getDuration("reloadTimeout", Duration.ofSeconds(10)));
    String binary = config.getString("binary");
    if (binary != null) {
      b.nginx(Path.of(binary));
    }
    return b.build();
  }
}
