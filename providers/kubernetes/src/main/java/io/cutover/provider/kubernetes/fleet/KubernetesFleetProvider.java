// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.fleet;

import io.cutover.api.InvalidSpecException;
import io.cutover.provider.kubernetes.KubernetesClients;
import io.cutover.spi.Fleet;
import io.cutover.spi.FleetProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Creates a {@link KubernetesFleet} ({@code kubernetes}) from configuration: the connection keys of
 * {@link KubernetesClients} ({@code inCluster}, {@code kubeconfig}, {@code context}, {@code
 * namespace}, {@code fieldManager}) and
 *
 * <ul>
 *   <li>at most one of {@code podTemplate} (a pod template spec, inline: YAML text or a nested
 *       object), {@code podTemplateFile} (the path of a YAML file) and {@code podTemplateConfigMap}
 *       ({@code NAME} or {@code NAME/KEY} of a ConfigMap in the namespace; key default {@value
 *       #DEFAULT_TEMPLATE_KEY}), read once when the fleet is created; see {@link PodTemplate} for
 *       what a template may and may not set;
 *   <li>{@code containerPort} (default 8080): the application container's port, named {@code http};
 *   <li>{@code retainedReleases} (default 2): retired releases whose ReplicaSet stays at 0 replicas
 *       for a fast rollback;
 *   <li>{@code readyTimeout} (default 5m): how long a launch waits for READY pods;
 *   <li>{@code terminationWait} (default: the template's {@code terminationGracePeriodSeconds} +
 *       10s): how long a retire waits for pods to stop before deleting them forcibly; never less
 *       than the grace period.
 * </ul>
 *
 * <p>Configuration values of releases come from the host's {@link ConfigValues} component ({@code
 * ProviderRegistry.withComponent(ConfigValues.class, ...)}); without one only the empty
 * configuration is known. Unknown keys are refused; every error names its key.
 */
public final class KubernetesFleetProvider implements FleetProvider {
  /** The ConfigMap key read when {@code podTemplateConfigMap} names no key. */
  public static final String DEFAULT_TEMPLATE_KEY = "template.yaml";

  private static final List<String> TEMPLATE_KEYS =
      List.of("podTemplate", "podTemplateFile", "podTemplateConfigMap");

  /** For {@link java.util.ServiceLoader}. */
  public KubernetesFleetProvider() {}

  @Override
  public String name() {
    return KubernetesFleet.PROVIDER;
  }

  /** Every key this provider reads. */
  static Set<String> keys() {
    Set<String> keys = new HashSet<>(KubernetesClients.KEYS);
    keys.addAll(TEMPLATE_KEYS);
    keys.addAll(Set.of("containerPort", "retainedReleases", "readyTimeout", "terminationWait"));
    return keys;
  }

  @Override
  public Fleet create(ProviderConfig config, ProviderContext context) {
    config.requireOnly(keys());
    List<String> given = new ArrayList<>();
    for (String k : TEMPLATE_KEYS) {
      if (config.has(k)) {
        given.add(k);
      }
    }
    if (given.size() > 1) {
      throw new InvalidSpecException(
          config.pathOf(given.get(1)),
          "is set together with " + given.get(0),
          "give the pod template one way only: podTemplate, podTemplateFile or"
              + " podTemplateConfigMap");
    }
    KubernetesClient client = KubernetesClients.client(config, context);
    boolean owns = !KubernetesClients.isShared(client, context);
    try {
      String namespace = KubernetesClients.namespace(config, client);
      KubernetesFleet.Builder b =
          KubernetesFleet.builder(client, namespace)
              .ownsClient(owns)
              .fieldManager(KubernetesClients.fieldManager(config))
              .podTemplate(template(config, client, namespace))
              .configs(context.lookup(ConfigValues.class).orElse(ConfigValues.EMPTY))
              .clock(context.clock())
              .scheduler(context.scheduler());
      rethrowAt(
          config, "containerPort", () -> b.containerPort(config.getInt("containerPort", 8080)));
      rethrowAt(
          config,
          "retainedReleases",
          () -> b.retainedReleases(config.getInt("retainedReleases", 2)));
      rethrowAt(
          config,
          "readyTimeout",
          () -> b.readyTimeout(config.getDuration("readyTimeout", Duration.ofMinutes(5))));
      if (config.has("terminationWait")) {
        rethrowAt(
            config,
            "terminationWait",
            () -> b.terminationWait(config.requireDuration("terminationWait")));
      }
      return rethrowAt(config, "terminationWait", b::build);
    } catch (RuntimeException e) {
      if (owns) {
        client.close();
      }
      throw e;
    }
  }

  /** Runs a builder step, moving an error about a bare key name to the key's full path. */
  private static <T> T rethrowAt(ProviderConfig config, String key, Supplier<T> step) {
    try {
      return step.get();
    } catch (InvalidSpecException e) {
      if (e.path().equals(key)) {
        InvalidSpecException.Violation v = e.violations().get(0);
        throw new InvalidSpecException(config.pathOf(key), v.problem(), v.fix());
      }
      throw e;
    }
  }

  private static PodTemplate template(
      ProviderConfig config, KubernetesClient client, String namespace) {
    if (config.has("podTemplate")) {
      String path = config.pathOf("podTemplate");
      Object raw = config.asMap().get("podTemplate");
      if (raw instanceof Map<?, ?> map) {
        @SuppressWarnings("unchecked") // a configuration object: string keys
        Map<String, ?> tree = (Map<String, ?>) map;
        return PodTemplate.of(tree, path);
      }
      return PodTemplate.parse(config.requireString("podTemplate"), path);
    }
    if (config.has("podTemplateFile")) {
      String path = config.pathOf("podTemplateFile");
      Path file = Path.of(config.requireString("podTemplateFile"));
      try {
        return PodTemplate.parse(Files.readString(file, StandardCharsets.UTF_8), path);
      } catch (IOException e) {
        throw new InvalidSpecException(
            path,
            "'" + file + "' cannot be read (" + e.getClass().getSimpleName() + ")",
            "give the path of a readable YAML file holding a pod template spec");
      }
    }
    if (config.has("podTemplateConfigMap")) {
      return fromConfigMap(config, client, namespace);
    }
    return PodTemplate.empty();
  }

  private static PodTemplate fromConfigMap(
      ProviderConfig config, KubernetesClient client, String namespace) {
    String path = config.pathOf("podTemplateConfigMap");
    String value = config.requireString("podTemplateConfigMap");
    int slash = value.indexOf('/');
    String name = slash < 0 ? value : value.substring(0, slash);
    String key = slash < 0 ? DEFAULT_TEMPLATE_KEY : value.substring(slash + 1);
    if (!name.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?") || key.isBlank()) {
      throw new InvalidSpecException(
          path, "'" + value + "' is not NAME or NAME/KEY", "name a ConfigMap, e.g. pod-template");
    }
    ConfigMap cm;
    try {
      cm = client.configMaps().inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      throw KubernetesFleet.failure("create", "read ConfigMap " + namespace + "/" + name, e);
    }
    if (cm == null) {
      throw new InvalidSpecException(
          path,
          "ConfigMap " + namespace + "/" + name + " does not exist",
          "create it with the pod template under key " + key + ", or fix the name");
    }
    String yaml = cm.getData() == null ? null : cm.getData().get(key);
    if (yaml == null) {
      throw new InvalidSpecException(
          path,
          "ConfigMap " + namespace + "/" + name + " has no key '" + key + "'",
          "put the pod template under that key, or name the key as NAME/KEY");
    }
    return PodTemplate.parse(yaml, path + " (ConfigMap " + name + ", key " + key + ")");
  }
}
