// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.router;

import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import io.cutover.spi.Router;
import io.cutover.spi.RouterProvider;
import java.util.Set;

/**
 * Creates an {@link InProcessRouter} from configuration ({@code $.providers.in-process}): {@code
 * stickyHeader} and {@code stickyCookie}, both optional. The router only routes calls made through
 * its {@link InProcessRouter#interceptor()}: the embedding code must install it in its clients.
 */
public final class InProcessRouterProvider implements RouterProvider {
  /** For {@link java.util.ServiceLoader}. */
  public InProcessRouterProvider() {}

  @Override
  public String name() {
    return InProcessRouter.PROVIDER;
  }

  @Override
  public Router create(ProviderConfig config, ProviderContext context) {
    config.requireOnly(Set.of("stickyHeader", "stickyCookie"));
    InProcessRouter.Builder b = InProcessRouter.builder();
    String header = config.getString("stickyHeader");
    if (header != null) {
      b.stickyHeader(header);
    }
    String cookie = config.getString("stickyCookie");
    if (cookie != null) {
      b.stickyCookie(cookie);
    }
    return b.build();
  }
}
