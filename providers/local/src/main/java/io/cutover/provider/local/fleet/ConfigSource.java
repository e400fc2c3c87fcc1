// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet;

import io.cutover.api.ConfigRef;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a fleet finds the configuration values behind a release's {@link ConfigRef} (a release
 * carries only the digest). The fleet checks that the values hash to the digest before using them,
 * so a source can never slip other configuration under a release.
 *
 * <p><b>Threading.</b> Implementations must be safe for concurrent use.
 */
@FunctionalInterface
public interface ConfigSource {

  /** Knows only the empty configuration. */
  ConfigSource EMPTY =
      ref -> ref.equals(ConfigRef.EMPTY) ? Optional.of(Map.of()) : Optional.empty();

  /** The values of a configuration snapshot, if known. */
  Optional<Map<String, String>> find(ConfigRef ref);

  /** An in-memory source to which configurations are added as releases are built. */
  static Registry registry() {
    return new Registry();
  }

  /**
   * A thread-safe, in-memory {@link ConfigSource}; {@link #register} returns the reference to put
   * in a release.
   */
  final class Registry implements ConfigSource {
    private final Map<ConfigRef, Map<String, String>> configs = new ConcurrentHashMap<>();

    private Registry() {
      configs.put(ConfigRef.EMPTY, Map.of());
    }

    /** Records a configuration and returns its reference. */
    public ConfigRef register(Map<String, String> config) {
      ConfigRef ref = ConfigRef.of(config);
      configs.put(ref, Map.copyOf(config));
      return ref;
    }

    @Override
    public Optional<Map<String, String>> find(ConfigRef ref) {
      return Optional.ofNullable(configs.get(ref));
    }
  }
}
