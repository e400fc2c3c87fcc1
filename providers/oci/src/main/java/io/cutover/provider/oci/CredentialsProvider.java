// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Supplies credentials per registry host ({@code host[:port]}), asked each time the store needs to
 * authenticate, so rotated secrets are picked up without a restart. Implementations must be
 * thread-safe and fast (cache what is slow to obtain) and must never log what they return.
 */
@FunctionalInterface
public interface CredentialsProvider {

  /** The credentials for a registry host, or null to access it anonymously. */
  @Nullable Credentials credentials(String registry);

  /** No credentials anywhere: anonymous access, including anonymous bearer tokens. */
  static CredentialsProvider anonymous() {
    return registry -> null;
  }

  /** Fixed credentials per registry host; anonymous for the others. */
  static CredentialsProvider of(Map<String, Credentials> byRegistry) {
    Map<String, Credentials> copy = Map.copyOf(byRegistry);
    return copy::get;
  }
}
