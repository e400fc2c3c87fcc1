// SPDX-License-Identifier: Apache-2.0
package io.cutover.core;

import io.cutover.core.internal.provider.MapProviderConfig;
import io.cutover.spi.ProviderConfig;
import java.util.Map;

/**
 * Creates {@link ProviderConfig}s from maps: what a spec loader, a platform's own configuration
 * code, or a provider's tests pass to {@link io.cutover.spi.ProviderFactory#create}. The map is
 * copied; its values are what YAML or JSON parsers produce (strings, numbers, booleans, lists,
 * maps) or typed values set from code.
 *
 * <p>Thread-safe; the configurations returned are immutable.
 */
public final class ProviderConfigs {
  private ProviderConfigs() {}

  /** A configuration for {@code provider} rooted at {@code $.providers.<provider>}. */
  public static ProviderConfig of(String provider, Map<String, ?> values) {
    return of(provider, "$.providers." + provider, values);
  }

  /** A configuration rooted at an explicit JSON path (where it sits in the user's file). */
  public static ProviderConfig of(String provider, String path, Map<String, ?> values) {
    return MapProviderConfig.of(provider, path, values);
  }

  /** An empty configuration for {@code provider}. */
  public static ProviderConfig empty(String provider) {
    return of(provider, Map.of());
  }
}
