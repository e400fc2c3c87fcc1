// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cutover.api.ConfigRef;
import io.cutover.api.InvalidSpecException;
import io.cutover.provider.kubernetes.KubernetesNames;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A user's pod template: the base every pod of the fleet is built from (resources, probes, service
 * account, node selection, sidecars, volumes, ...). Cutover fills in what makes a pod belong to a
 * release and nothing else: the application container's image (the release's artifact by digest),
 * its {@code http} port, the release's configuration as environment and a read-only mount, and the
 * {@code cutover.io/} labels and annotations.
 *
 * <p><b>The application container</b> is the one container that sets no {@code image}; a template
 * without such a container gets one named {@value #DEFAULT_CONTAINER} in front of its containers.
 * Every other container and init container is the user's own (a sidecar) and must pin its image by
 * digest ({@code repo@sha256:...}): a tag could change what runs without a new release.
 *
 * <p><b>Refused</b>, with a {@link PodTemplateException} naming the configuration key, the field
 * and the fix: an application container with its own image (a template whose only container sets
 * one), a sidecar image by tag, labels or annotations under {@code cutover.io/} or {@value
 * KubernetesNames#MANAGED_BY_LABEL}, {@code metadata.name}/{@code generateName}/{@code namespace},
 * a {@code restartPolicy} other than {@code Always} (a ReplicaSet needs it), a volume or volume
 * mount named {@value #CONFIG_VOLUME}, a port named {@code http} or an environment variable named
 * {@code CUTOVER_*} on the application container, and fields a pod template does not have (a typo
 * would otherwise be dropped silently).
 *
 * <p>Immutable and thread-safe: {@link #base()} returns a fresh copy each time.
 */
public final class PodTemplate {
  /** The name of the application container Cutover adds when the template has none. */
  public static final String DEFAULT_CONTAINER = "app";

  /** The name of the volume and mount of the release's configuration. */
  public static final String CONFIG_VOLUME = "cutover-config";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final Set<String> TOP_LEVEL = Set.of("metadata", "spec");

  private final PodTemplateSpec base;
  private final String source;

  private PodTemplate(PodTemplateSpec base, String source) {
    this.base = base;
    this.source = source;
  }

  /** No template: a pod with just the application container, named {@value #DEFAULT_CONTAINER}. */
  public static PodTemplate empty() {
    return new PodTemplate(new PodTemplateSpec(), "(none)");
  }

  /**
   * A template from YAML or JSON text: a pod template spec ({@code metadata}, {@code spec}) or a
   * whole {@code kind: PodTemplate} object, whose {@code template} is used.
   *
   * @param source the JSON path of the configuration key it came from, named in errors
   * @throws PodTemplateException if the text is not a usable pod template
   */
  public static PodTemplate parse(String yaml, String source) {
    JsonNode node;
    try {
      node = YAML.readTree(yaml);
    } catch (IOException e) {
      throw new PodTemplateException(
          source,
          "is not YAML: " + firstLine(e.getMessage()),
          "give a pod template spec (metadata:, spec:) in YAML or JSON");
    }
    return fromTree(node, source);
  }

  /**
   * A template from an already parsed tree (e.g. a YAML object in the provider's configuration).
   *
   * @throws PodTemplateException if it is not a usable pod template
   */
  public static PodTemplate of(Map<String, ?> tree, String source) {
    return fromTree(YAML.valueToTree(tree), source);
  }

  private static PodTemplate fromTree(JsonNode node, String source) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return new PodTemplate(new PodTemplateSpec(), source);
    }
    if (!node.isObject()) {
      throw new PodTemplateException(
          source,
          "is a " + node.getNodeType().toString().toLowerCase(Locale.ROOT) + ", not an object",
          "give a pod template spec with metadata: and spec:");
    }
    if ("PodTemplate".equals(node.path("kind").asText(null))) {
      node = node.path("template");
    }
    List<InvalidSpecException.Violation> problems = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!TOP_LEVEL.contains(field)) {
        problems.add(
            violation(
                source,
                "has field '" + field + "', which a pod template spec does not have",
                "keep only metadata: and spec: (the pod's spec) at the top level"));
      }
    }
    PodTemplateSpec spec;
    try {
      spec = SERIALIZATION.unmarshal(node.toString(), PodTemplateSpec.class);
    } catch (RuntimeException e) {
      throw new PodTemplateException(
          source,
          "is not a pod template: " + firstLine(e.getMessage()),
          "check the field types against the Kubernetes PodTemplateSpec");
    }
    check(spec, source, problems);
    if (!problems.isEmpty()) {
      throw new PodTemplateException(problems);
    }
    return new PodTemplate(spec, source);
  }

  /** Where the template came from (a configuration path), for messages. */
  public String source() {
    return source;
  }

  /** A deep copy of the template as given. */
  public PodTemplateSpec base() {
    return new PodTemplateSpecBuilder(base).build();
  }

  /** The pod's grace period for termination: the template's, else Kubernetes' default of 30 s. */
  public long terminationGracePeriodSeconds() {
    PodSpec spec = base.getSpec();
    Long grace = spec == null ? null : spec.getTerminationGracePeriodSeconds();
    return grace == null ? 30 : grace;
  }

  /**
   * The index of the application container in {@code spec.containers} of {@code template} (a copy
   * of {@link #base()}), adding one named {@value #DEFAULT_CONTAINER} in front if there is none.
   */
  static Container applicationContainer(PodSpec spec) {
    if (spec.getContainers() == null) {
      spec.setContainers(new ArrayList<>());
    }
    for (Container c : spec.getContainers()) {
      if (c.getImage() == null || c.getImage().isBlank()) {
        return c;
      }
    }
    Container app = new ContainerBuilder().withName(DEFAULT_CONTAINER).build();
    List<Container> containers = new ArrayList<>();
    containers.add(app);
    containers.addAll(spec.getContainers());
    spec.setContainers(containers);
    return app;
  }

  private static void check(
      PodTemplateSpec t, String source, List<InvalidSpecException.Violation> problems) {
    unknown(t.getAdditionalProperties(), "", source, problems);
    ObjectMeta meta = t.getMetadata();
    if (meta != null) {
      unknown(meta.getAdditionalProperties(), "metadata.", source, problems);
      for (String f : new String[] {"name", "generateName", "namespace"}) {
        String value =
            switch (f) {
              case "name" -> meta.getName();
              case "generateName" -> meta.getGenerateName();
              default -> meta.getNamespace();
            };
        if (value != null) {
          problems.add(
              violation(
                  source,
                  "sets metadata." + f + " ('" + value + "')",
                  "remove it: Cutover names every pod after its release and writes to the"
                      + " configured namespace"));
        }
      }
      reserved(meta.getLabels(), "metadata.labels", source, problems);
      reserved(meta.getAnnotations(), "metadata.annotations", source, problems);
    }
    PodSpec spec = t.getSpec();
    if (spec == null) {
      return;
    }
    unknown(spec.getAdditionalProperties(), "spec.", source, problems);
    if (spec.getRestartPolicy() != null && !"Always".equals(spec.getRestartPolicy())) {
      problems.add(
          violation(
              source,
              "sets spec.restartPolicy to '" + spec.getRestartPolicy() + "'",
              "remove it: a ReplicaSet's pods restart Always"));
    }
    if (spec.getVolumes() != null
        && spec.getVolumes().stream().anyMatch(v -> CONFIG_VOLUME.equals(v.getName()))) {
      problems.add(
          violation(
              source,
              "has a volume named '" + CONFIG_VOLUME + "'",
              "rename it: Cutover mounts the release's configuration under that name"));
    }
    List<Container> containers = spec.getContainers() == null ? List.of() : spec.getContainers();
    List<Container> apps =
        containers.stream().filter(c -> c.getImage() == null || c.getImage().isBlank()).toList();
    if (apps.size() > 1) {
      problems.add(
          violation(
              source,
              "has "
                  + apps.size()
                  + " containers without an image ("
                  + String.join(", ", apps.stream().map(Container::getName).toList())
                  + ")",
              "leave the image out of exactly one container, the application's: Cutover sets"
                  + " it to the release's artifact; give every sidecar its image by digest"));
    }
    for (int i = 0; i < containers.size(); i++) {
      Container c = containers.get(i);
      String where = "spec.containers[" + i + "]";
      unknown(c.getAdditionalProperties(), where + ".", source, problems);
      literalSecrets(c, where, source, problems);
      if (apps.contains(c)) {
        checkApplication(c, where, source, problems);
      } else {
        checkSidecar(c, where, apps.isEmpty() && containers.size() == 1, source, problems);
      }
    }
    List<Container> inits = spec.getInitContainers() == null ? List.of() : spec.getInitContainers();
    for (int i = 0; i < inits.size(); i++) {
      checkSidecar(inits.get(i), "spec.initContainers[" + i + "]", false, source, problems);
      literalSecrets(inits.get(i), "spec.initContainers[" + i + "]", source, problems);
    }
  }

  /**
   * A literal value under a secret-looking variable name, or one that looks like a secret itself (a
   * URL with user-info, a private key, a token): refused, and never printed.
   */
  private static void literalSecrets(
      Container c, String where, String source, List<InvalidSpecException.Violation> problems) {
    if (c.getEnv() == null) {
      return;
    }
    for (EnvVar e : c.getEnv()) {
      if (e.getName() != null
          && e.getValue() != null
          && !e.getValue().isEmpty()
          && (ConfigRef.isSecretKey(e.getName()) || ConfigRef.looksLikeSecret(e.getValue()))) {
        problems.add(
            violation(
                source,
                "sets "
                    + e.getName()
                    + " on "
                    + where
                    + " to a literal value (not shown) that looks like a secret",
                "refer to a Secret instead: valueFrom: {secretKeyRef: {name: NAME, key: KEY}}"));
      }
    }
  }

  private static void checkApplication(
      Container c, String where, String source, List<InvalidSpecException.Violation> problems) {
    if (c.getPorts() != null && c.getPorts().stream().anyMatch(p -> "http".equals(p.getName()))) {
      problems.add(
          violation(
              source,
              "names a port 'http' on " + where + " ('" + c.getName() + "')",
              "remove it or rename it: Cutover adds the 'http' port (key containerPort)"));
    }
    if (c.getEnv() != null) {
      c.getEnv().stream()
          .filter(e -> e.getName() != null && e.getName().startsWith("CUTOVER_"))
          .forEach(
              e ->
                  problems.add(
                      violation(
                          source,
                          "sets " + e.getName() + " on " + where,
                          "rename it: CUTOVER_* variables are set by Cutover")));
    }
    if (c.getVolumeMounts() != null
        && c.getVolumeMounts().stream().anyMatch(m -> CONFIG_VOLUME.equals(m.getName()))) {
      problems.add(
          violation(
              source,
              "mounts a volume named '" + CONFIG_VOLUME + "' on " + where,
              "remove that mount: Cutover mounts the release's configuration itself"));
    }
  }

  private static void checkSidecar(
      Container c,
      String where,
      boolean onlyContainer,
      String source,
      List<InvalidSpecException.Violation> problems) {
    String image = String.valueOf(c.getImage());
    if (onlyContainer) {
      problems.add(
          violation(
              source,
              "sets image '" + image + "' on " + where + " ('" + c.getName() + "')",
              "remove image: Cutover sets the application container's image to the release's"
                  + " artifact by digest"));
    } else if (!image.matches("[^@\\s]+@sha256:[0-9a-f]{64}")) {
      problems.add(
          violation(
              source,
              "sets image '" + image + "' on " + where + " ('" + c.getName() + "'), not by digest",
              "pin it as repo@sha256:<64 hex> (a tag can change what runs without a new release),"
                  + " or, if this is the application container, remove its image"));
    }
  }

  private static void reserved(
      Map<String, String> entries,
      String where,
      String source,
      List<InvalidSpecException.Violation> problems) {
    if (entries == null) {
      return;
    }
    for (String key : entries.keySet()) {
      if (key.startsWith("cutover.io/") || key.equals(KubernetesNames.MANAGED_BY_LABEL)) {
        problems.add(
            violation(
                source,
                "sets " + where + " '" + key + "', which Cutover owns",
                "remove it: Cutover sets cutover.io/* and " + KubernetesNames.MANAGED_BY_LABEL));
      }
    }
  }

  private static void unknown(
      Map<String, Object> extra,
      String prefix,
      String source,
      List<InvalidSpecException.Violation> problems) {
    if (extra == null) {
      return;
    }
    for (String field : extra.keySet()) {
      problems.add(
          violation(
              source,
              "has an unknown field '" + prefix + field + "'",
              "check its spelling against the Kubernetes pod template (it would be ignored)"));
    }
  }

  private static InvalidSpecException.Violation violation(
      String source, String problem, String fix) {
    return new InvalidSpecException.Violation(source, problem, fix);
  }

  private static String firstLine(@Nullable String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
