// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.haproxy;

import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import io.cutover.spi.Router;
import io.cutover.spi.RouterProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Creates a {@link HaproxyRouter} from configuration ({@code $.providers.haproxy}): {@code socket}
 * (the admin stats socket, required), {@code backendPrefix} (default {@code be_}), {@code
 * reapInterval} (default 100ms).
 */
public final class HaproxyRouterProvider implements RouterProvider {
  /** For {@link java.util.ServiceLoader}. */
  public HaproxyRouterProvider() {}

  @Override
  public String name() {
    return HaproxyRouter.PROVIDER;
  }

  @Override
  public Router create(ProviderConfig config, ProviderContext context) {
    config.requireOnly(Set.of("socket", "backendPrefix", "reapInterval"));
    String prefix = config.getString("backendPrefix", "be_");
    return HaproxyRouter.builder(Path.of(config.requireString("socket")))
        .backendName(service -> prefix + service)
        .reapInterval(config.getDuration("reapInterval", Duration.ofMillis(100)))
        .build();
  }
}
