// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.fleet;

import io.cutover.api.ConfigRef;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.provider.kubernetes.KubernetesNames;
import io.cutover.spi.OperationId;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Builds the objects of one release: its ReplicaSet (the pod template filled in from the user's
 * {@link PodTemplate}) and its immutable configuration ConfigMap. Pure: no I/O, and every problem
 * with the release's configuration is found here, before anything is written.
 */
final class Workloads {
  /** Pod and workload annotation: the full Cutover release id (the label may be shortened). */
  static final String RELEASE_ID = "cutover.io/release-id";

  /** Pod and workload annotation: the artifact, {@code repo@sha256:...}. */
  static final String ARTIFACT = "cutover.io/artifact";

  /** Pod, workload and ConfigMap annotation: the configuration digest. */
  static final String CONFIG = "cutover.io/config";

  /** Workload annotation: the name of the release's ConfigMap, if it has one. */
  static final String CONFIG_MAP = "cutover.io/config-map";

  /** Workload annotation: the last operation ids applied to it, oldest first, space-separated. */
  static final String OPERATIONS = "cutover.io/operations";

  /** Workload annotation: {@code true} once the release was drained. */
  static final String DRAINING = "cutover.io/draining";

  /** Workload annotation: when the release was retired (ISO-8601), absent while it runs. */
  static final String RETIRED_AT = "cutover.io/retired-at";

  /** Value of {@link KubernetesNames#MANAGED_BY_LABEL} on everything the fleet writes. */
  static final String MANAGED_BY = "cutover";

  /** Where the configuration ConfigMap is mounted in the application container. */
  static final String CONFIG_MOUNT = "/etc/cutover/config";

  /** How many operation ids a workload remembers. */
  static final int OPERATIONS_KEPT = 16;

  private static final Pattern SECRET_REF =
      Pattern.compile("\\$\\{secret:([a-z0-9]([-a-z0-9.]*[a-z0-9])?)/([-._a-zA-Z0-9]+)}");
  private static final Pattern CONFIG_MAP_KEY = Pattern.compile("[-._a-zA-Z0-9]{1,253}");

  private final String namespace;
  private final PodTemplate template;
  private final int containerPort;

  Workloads(String namespace, PodTemplate template, int containerPort) {
    this.namespace = namespace;
    this.template = template;
    this.containerPort = containerPort;
  }

  /** A release's objects: the ReplicaSet, and the ConfigMap unless its configuration is empty. */
  record Desired(ReplicaSet replicaSet, @Nullable ConfigMap configMap) {}

  /** The ConfigMap name of a configuration: {@code <service>-config-<64 hex of its digest>}. */
  static String configMapName(Release release) {
    return release.service() + "-config-" + release.config().digest().hex();
  }

  /** The pod selector of a release's workload. */
  static Map<String, String> selector(Release release) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put(KubernetesNames.SERVICE_LABEL, release.service());
    s.put(KubernetesNames.RELEASE_LABEL, KubernetesNames.releaseName(release));
    return s;
  }

  static Map<String, String> labels(Release release) {
    Map<String, String> l = new LinkedHashMap<>();
    l.put(KubernetesNames.MANAGED_BY_LABEL, MANAGED_BY);
    l.putAll(selector(release));
    return l;
  }

  /**
   * The objects of {@code release} at {@code replicas}, applied by {@code op}.
   *
   * @param config the configuration values, already checked against the release's digest
   * @throws InvalidSpecException naming every configuration key that cannot go into a pod
   */
  Desired desired(Release release, Map<String, String> config, int replicas, OperationId op) {
    boolean hasConfig = !release.config().equals(ConfigRef.EMPTY);
    String configMap = configMapName(release);
    PodTemplateSpec pod = template.base();
    ObjectMeta meta = pod.getMetadata() == null ? new ObjectMeta() : pod.getMetadata();
    pod.setMetadata(meta);
    Map<String, String> podLabels = new LinkedHashMap<>();
    if (meta.getLabels() != null) {
      podLabels.putAll(meta.getLabels());
    }
    podLabels.putAll(labels(release));
    meta.setLabels(podLabels);
    Map<String, String> podAnnotations = new LinkedHashMap<>();
    if (meta.getAnnotations() != null) {
      podAnnotations.putAll(meta.getAnnotations());
    }
    podAnnotations.putAll(identity(release));
    meta.setAnnotations(podAnnotations);
    PodSpec spec = pod.getSpec() == null ? new PodSpec() : pod.getSpec();
    pod.setSpec(spec);
    spec.setRestartPolicy("Always");
    Container app = PodTemplate.applicationContainer(spec);
    app.setImage(release.artifact().toString());
    List<ContainerPort> ports =
        app.getPorts() == null ? new ArrayList<>() : new ArrayList<>(app.getPorts());
    ports.add(
        new ContainerPortBuilder()
            .withName("http")
            .withContainerPort(containerPort)
            .withProtocol("TCP")
            .build());
    app.setPorts(ports);
    List<EnvVar> env = app.getEnv() == null ? new ArrayList<>() : new ArrayList<>(app.getEnv());
    env.addAll(environment(release, config, configMap, env));
    app.setEnv(env);
    if (hasConfig) {
      List<VolumeMount> mounts =
          app.getVolumeMounts() == null
              ? new ArrayList<>()
              : new ArrayList<>(app.getVolumeMounts());
      mounts.add(
          new VolumeMountBuilder()
              .withName(PodTemplate.CONFIG_VOLUME)
              .withMountPath(CONFIG_MOUNT)
              .withReadOnly(true)
              .build());
      app.setVolumeMounts(mounts);
      List<Volume> volumes =
          spec.getVolumes() == null ? new ArrayList<>() : new ArrayList<>(spec.getVolumes());
      volumes.add(
          new VolumeBuilder()
              .withName(PodTemplate.CONFIG_VOLUME)
              .withNewConfigMap()
              .withName(configMap)
              .endConfigMap()
              .build());
      spec.setVolumes(volumes);
    }
    Map<String, String> rsAnnotations = identity(release);
    if (hasConfig) {
      rsAnnotations.put(CONFIG_MAP, configMap);
    }
    rsAnnotations.put(OPERATIONS, op.value());
    rsAnnotations.put(DRAINING, "false");
    ReplicaSet rs =
        new ReplicaSetBuilder()
            .withNewMetadata()
            .withName(KubernetesNames.releaseName(release))
            .withNamespace(namespace)
            .withLabels(labels(release))
            .withAnnotations(rsAnnotations)
            .endMetadata()
            .withNewSpec()
            .withReplicas(replicas)
            .withNewSelector()
            .withMatchLabels(selector(release))
            .endSelector()
            .withTemplate(pod)
            .endSpec()
            .build();
    return new Desired(rs, hasConfig ? configMap(release, config, configMap) : null);
  }

  private static Map<String, String> identity(Release release) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put(RELEASE_ID, release.id());
    a.put(ARTIFACT, release.artifact().toString());
    a.put(CONFIG, release.config().digest().toString());
    return a;
  }

  private ConfigMap configMap(Release release, Map<String, String> config, String name) {
    Map<String, String> data = new TreeMap<>();
    config.forEach(
        (k, v) -> {
          if (!v.contains("${secret:")) {
            data.put(k, v);
          }
        });
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(KubernetesNames.MANAGED_BY_LABEL, MANAGED_BY);
    labels.put(KubernetesNames.SERVICE_LABEL, release.service());
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(labels)
        .withAnnotations(Map.of(CONFIG, release.config().digest().toString()))
        .endMetadata()
        .withImmutable(true)
        .withData(data)
        .build();
  }

  /**
   * Cutover's variables, then one per configuration key: from the ConfigMap, or from a Secret for a
   * {@code ${secret:NAME/KEY}} reference. Keys become names as {@code db.url -> DB_URL}.
   */
  private List<EnvVar> environment(
      Release release, Map<String, String> config, String configMap, List<EnvVar> userEnv) {
    List<EnvVar> env = new ArrayList<>();
    env.add(plain("CUTOVER_SERVICE", release.service()));
    env.add(plain("CUTOVER_RELEASE", release.id()));
    env.add(plain("CUTOVER_ARTIFACT", release.artifact().toString()));
    env.add(plain("CUTOVER_PORT", Integer.toString(containerPort)));
    List<InvalidSpecException.Violation> problems = new ArrayList<>();
    Map<String, String> namesToKeys = new HashMap<>();
    for (EnvVar e : userEnv) {
      namesToKeys.put(e.getName(), "(the pod template)");
    }
    for (Map.Entry<String, String> e : new TreeMap<>(config).entrySet()) {
      String key = e.getKey();
      String value = e.getValue();
      String name = envName(key);
      String earlier = namesToKeys.putIfAbsent(name, "config." + key);
      if (earlier != null) {
        problems.add(
            new InvalidSpecException.Violation(
                "config." + key,
                "becomes the environment variable " + name + ", as " + earlier + " does",
                "rename one of them: keys map to names by upper-casing and turning other"
                    + " characters into '_'"));
        continue;
      }
      Matcher ref = SECRET_REF.matcher(value);
      if (ref.matches()) {
        env.add(
            new EnvVarBuilder()
                .withName(name)
                .withNewValueFrom()
                .withNewSecretKeyRef()
                .withName(ref.group(1))
                .withKey(ref.group(3))
                .endSecretKeyRef()
                .endValueFrom()
                .build());
      } else if (value.contains("${secret:")) {
        problems.add(
            new InvalidSpecException.Violation(
                "config." + key,
                "holds a secret reference that is not the whole value, or not NAME/KEY",
                "write the value as ${secret:NAME/KEY}: the key KEY of the Kubernetes Secret"
                    + " NAME, alone"));
      } else if (!CONFIG_MAP_KEY.matcher(key).matches()) {
        problems.add(
            new InvalidSpecException.Violation(
                "config." + key,
                "cannot be a ConfigMap key",
                "use letters, digits, '-', '_' and '.' only"));
      } else {
        env.add(
            new EnvVarBuilder()
                .withName(name)
                .withNewValueFrom()
                .withNewConfigMapKeyRef()
                .withName(configMap)
                .withKey(key)
                .endConfigMapKeyRef()
                .endValueFrom()
                .build());
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidSpecException(problems);
    }
    return env;
  }

  private static EnvVar plain(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  /** {@code db.url -> DB_URL}; a leading digit gets a {@code _} in front. */
  static String envName(String key) {
    String name = key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_");
    return Character.isDigit(name.charAt(0)) ? "_" + name : name;
  }

  /** The operation ids recorded on a workload, oldest first. */
  static List<String> operations(@Nullable ReplicaSet rs) {
    String value = annotation(rs, OPERATIONS);
    return value == null || value.isBlank() ? List.of() : List.of(value.trim().split(" "));
  }

  /** {@code ops} with {@code op} appended (moved to the end if present), capped. */
  static String withOperation(List<String> ops, OperationId op) {
    List<String> out = new ArrayList<>(ops);
    out.remove(op.value());
    out.add(op.value());
    while (out.size() > OPERATIONS_KEPT) {
      out.remove(0);
    }
    return String.join(" ", out);
  }

  static @Nullable String annotation(@Nullable HasMetadata o, String key) {
    if (o == null || o.getMetadata() == null || o.getMetadata().getAnnotations() == null) {
      return null;
    }
    return o.getMetadata().getAnnotations().get(key);
  }
}
