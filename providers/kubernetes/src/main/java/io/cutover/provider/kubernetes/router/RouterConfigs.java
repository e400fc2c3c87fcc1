// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.router;

import io.cutover.api.InvalidSpecException;
import io.cutover.provider.kubernetes.KubernetesClients;
import io.cutover.spi.ProviderConfig;
import java.util.HashSet;
import java.util.Set;

/** The configuration keys the router factories share, read and checked the same way. */
final class RouterConfigs {
  private RouterConfigs() {}

  /** {@link KubernetesClients#KEYS} plus the router's own keys. */
  static Set<String> keys(String... own) {
    Set<String> keys = new HashSet<>(KubernetesClients.KEYS);
    keys.addAll(Set.of(own));
    return keys;
  }

  /** A port number (1-65535) under {@code key}, or {@code defaultValue}. */
  static int port(ProviderConfig config, String key, int defaultValue) {
    int port = config.getInt(key, defaultValue);
    if (port < 1 || port > 65_535) {
      throw new InvalidSpecException(
          config.pathOf(key), "is " + port, "use a port from 1 to 65535");
    }
    return port;
  }

  /** The pods' port: a number or an IANA port name such as {@code http} (the fleet's default). */
  static String targetPort(ProviderConfig config, String key, String defaultValue) {
    String value = config.getString(key, defaultValue);
    boolean number = value.matches("[0-9]{1,5}");
    int n = number ? Integer.parseInt(value) : 0;
    if (number ? n < 1 || n > 65_535 : !value.matches("[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?")) {
      throw new InvalidSpecException(
          config.pathOf(key),
          "'" + value + "' is neither a port number nor a port name",
          "use the pods' container port, e.g. 8080, or its name, e.g. http");
    }
    return value;
  }
}
