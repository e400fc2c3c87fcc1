// SPDX-License-Identifier: Apache-2.0
package io.cutover.spec;

import io.cutover.spi.ProviderConfig;
import java.util.Objects;

/**
 * One provider named in a spec (a fleet, router, store, journal, metric source or gate): the
 * provider's registered name ({@code type} in the file) and the rest of its settings as a {@link
 * ProviderConfig} rooted at its JSON path, e.g. {@code $.providers.router}, so the provider's own
 * errors name the place in the file.
 *
 * @param type the provider's name in the {@code ProviderRegistry}, e.g. {@code haproxy}
 * @param config its settings, without {@code type}
 */
public record ProviderSpec(String type, ProviderConfig config) {
  /** Checks both parts are present. */
  public ProviderSpec {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(config, "config");
  }
}
