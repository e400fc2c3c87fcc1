// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.core.ProviderConfigs;
import io.cutover.core.ProviderRegistry;
import io.cutover.provider.kubernetes.testing.TestCluster;
import io.cutover.spi.Fleet;
import io.cutover.spi.FleetProvider;
import io.cutover.spi.ProviderContext;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code kubernetes} fleet factory: discovery, its keys, and errors that name the key. The
 * client is the mock API server's ({@link TestCluster}; no real cluster can run on the build
 * machines), registered as the host's component.
 */
class KubernetesFleetProviderTest {
  private static final String NS = "fleet-provider";
  private final ProviderContext context =
      ProviderRegistry.create()
          .withComponent(KubernetesClient.class, TestCluster.get().client())
          .context();

  private static FleetProvider provider() {
    return ServiceLoader.load(FleetProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals("kubernetes"))
        .findFirst()
        .orElseThrow();
  }

  private Fleet create(Map<String, Object> config) {
    return provider().create(ProviderConfigs.of("kubernetes", config), context);
  }

  @Test
  @DisplayName(
      "ServiceLoader finds the kubernetes fleet, and a configuration of every key builds it")
  void discoveredAndConfigured() {
    Fleet fleet =
        create(
            Map.of(
                "namespace", NS,
                "fieldManager", "platform",
                "podTemplate", "spec:\n  serviceAccountName: shop\n",
                "containerPort", 9090,
                "retainedReleases", 0,
                "readyTimeout", "90s",
                "terminationWait", "45s"));
    assertThat(fleet).isInstanceOf(KubernetesFleet.class);
    ((KubernetesFleet) fleet).close();
  }

  @Test
  @DisplayName("an inline template that sets the application image is refused, naming the key")
  void imageRefused() {
    assertThatThrownBy(
            () ->
                create(
                    Map.of(
                        "namespace",
                        NS,
                        "podTemplate",
                        "spec:\n  containers:\n  - name: web\n    image: nginx:1.25\n")))
        .isInstanceOf(PodTemplateException.class)
        .hasMessageContaining("podTemplate")
        .hasMessageContaining("spec.containers[0]")
        .hasMessageContaining("nginx:1.25")
        .hasMessageContaining("remove image");
  }

  @Test
  @DisplayName(
      "a template as a nested object is read like YAML text; a cutover.io label is refused")
  void nestedObject() {
    Map<String, Object> template =
        Map.of("metadata", Map.of("labels", Map.of("cutover.io/release", "mine")));
    assertThatThrownBy(() -> create(Map.of("namespace", NS, "podTemplate", template)))
        .isInstanceOf(PodTemplateException.class)
        .hasMessageContaining("$.providers.kubernetes.podTemplate")
        .hasMessageContaining("cutover.io/release");
  }

  @Test
  @DisplayName("podTemplateFile is read; an unreadable file is refused naming the key")
  void templateFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pod.yaml");
    Files.writeString(file, "spec:\n  serviceAccountName: shop\n", StandardCharsets.UTF_8);
    ((KubernetesFleet) create(Map.of("namespace", NS, "podTemplateFile", file.toString()))).close();
    assertThatThrownBy(
            () ->
                create(Map.of("namespace", NS, "podTemplateFile", dir.resolve("nope").toString())))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("podTemplateFile")
        .hasMessageContaining("cannot be read");
  }

  @Test
  @DisplayName(
      "podTemplateConfigMap reads NAME/KEY from the namespace; a missing one names the key")
  void templateConfigMap() {
    TestCluster.get()
        .client()
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("pod-template")
                .endMetadata()
                .withData(Map.of("pod.yaml", "spec:\n  containers:\n  - name: x\n    image: y:1\n"))
                .build())
        .createOr(c -> c.update());
    assertThatThrownBy(
            () -> create(Map.of("namespace", NS, "podTemplateConfigMap", "pod-template/pod.yaml")))
        .isInstanceOf(PodTemplateException.class)
        .hasMessageContaining("podTemplateConfigMap")
        .hasMessageContaining("ConfigMap pod-template, key pod.yaml");
    assertThatThrownBy(() -> create(Map.of("namespace", NS, "podTemplateConfigMap", "absent")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("podTemplateConfigMap")
        .hasMessageContaining("does not exist");
  }

  @Test
  @DisplayName("bad values and unknown keys are refused, each naming its key")
  void badValues() {
    for (Map.Entry<String, Object> bad :
        List.<Map.Entry<String, Object>>of(
            Map.entry("containerPort", 0),
            Map.entry("retainedReleases", -1),
            Map.entry("readyTimeout", "soon"),
            Map.entry("terminationWait", "5s"),
            Map.entry("podTemplatFile", "x"))) {
      assertThatThrownBy(() -> create(Map.of("namespace", NS, bad.getKey(), bad.getValue())))
          .as(bad.getKey())
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("$.providers.kubernetes." + bad.getKey());
    }
  }

  @Test
  @DisplayName("two template sources at once are refused")
  void twoTemplates() {
    assertThatThrownBy(
            () ->
                create(
                    Map.of(
                        "namespace", NS, "podTemplate", "spec: {}", "podTemplateFile", "/x.yaml")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("podTemplateFile")
        .hasMessageContaining("one way only");
  }
}
