// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.fleet;

import io.cutover.api.ConfigRef;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the Kubernetes fleet finds the configuration values behind a release's {@link ConfigRef} (a
 * release carries only the digest). The fleet checks that the values hash to the digest before it
 * writes them into the release's ConfigMap, so a source can never slip other configuration under a
 * release. Values of the form {@code ${secret:NAME/KEY}} are references to the key {@code KEY} of
 * the Kubernetes Secret {@code NAME}: the pod reads them through {@code secretKeyRef}; the fleet
 * never reads or writes the secret's value.
 *
 * <p>A host registers its source as a component ({@code
 * ProviderRegistry.withComponent(ConfigValues.class, source)}) or passes it to {@link
 * KubernetesFleet.Builder#configs}. Without one, only {@link ConfigRef#EMPTY} is known.
 *
 * <p><b>Threading.</b> Implementations must be safe for concurrent use.
 */
@FunctionalInterface
public interface ConfigValues {

  /** Knows only the empty configuration. */
  ConfigValues EMPTY =
      ref -> ref.equals(ConfigRef.EMPTY) ? Optional.of(Map.of()) : Optional.empty();

  /** The values of a configuration snapshot, if known. */
  Optional<Map<String, String>> find(ConfigRef ref);

  /** An in-memory source to which configurations are added as releases are built. */
  static Registry registry() {
    return new Registry();
  }

  /** A thread-safe, in-memory {@link ConfigValues}; {@link #register} returns the reference. */
  final class Registry implements ConfigValues {
    private final Map<ConfigRef, Map<String, String>> configs = new ConcurrentHashMap<>();

    private Registry() {
      configs.put(ConfigRef.EMPTY, Map.of());
    }

    /**
     * Records a configuration and returns its reference, for {@code Release.of(service, artifact,
     * ref)}.
     */
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
