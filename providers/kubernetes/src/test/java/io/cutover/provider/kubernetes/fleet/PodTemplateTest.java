// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.Digest;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.spi.OperationId;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The user's pod template: what it may set, what is refused, and how Cutover fills it in. */
class PodTemplateTest {
  private static final String KEY = "$.providers.kubernetes.podTemplate";
  private static final String SIDECAR = "envoy@sha256:" + "b".repeat(64);
  private static final Release RELEASE =
      Release.of("shop", new ArtifactRef("registry.example/shop", Digest.sha256("v1")));

  private static PodTemplateSpec filled(String yaml) {
    return new Workloads("ns", PodTemplate.parse(yaml, KEY), 8080)
        .desired(RELEASE, Map.of(), 1, new OperationId("op-1"))
        .replicaSet()
        .getSpec()
        .getTemplate();
  }

  @Test
  @DisplayName("no template: one container 'app' with the release's image by digest and port http")
  void empty() {
    PodTemplateSpec t =
        new Workloads("ns", PodTemplate.empty(), 8080)
            .desired(RELEASE, Map.of(), 1, new OperationId("op-1"))
            .replicaSet()
            .getSpec()
            .getTemplate();
    Container app = t.getSpec().getContainers().get(0);
    assertThat(t.getSpec().getContainers()).hasSize(1);
    assertThat(app.getName()).isEqualTo("app");
    assertThat(app.getImage()).isEqualTo(RELEASE.artifact().toString());
    assertThat(app.getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getName()).isEqualTo("http"));
    assertThat(t.getSpec().getRestartPolicy()).isEqualTo("Always");
    assertThat(t.getSpec().getVolumes()).as("no config, no mount").isNullOrEmpty();
  }

  @Test
  @DisplayName(
      "the one container without an image is the application's; sidecars, probes, env and labels"
          + " are kept")
  void merge() {
    PodTemplateSpec t =
        filled(
            """
            metadata:
              labels: {team: payments}
              annotations: {prometheus.io/scrape: "true"}
            spec:
              terminationGracePeriodSeconds: 45
              containers:
              - name: proxy
                image: %s
              - name: web
                env: [{name: LOG_LEVEL, value: debug}]
                ports: [{name: metrics, containerPort: 9100}]
                readinessProbe: {httpGet: {path: /ready, port: http}}
            """
                .formatted(SIDECAR));
    assertThat(t.getMetadata().getLabels()).containsEntry("team", "payments");
    assertThat(t.getMetadata().getAnnotations()).containsEntry("prometheus.io/scrape", "true");
    assertThat(t.getSpec().getTerminationGracePeriodSeconds()).isEqualTo(45);
    Container proxy = t.getSpec().getContainers().get(0);
    Container web = t.getSpec().getContainers().get(1);
    assertThat(proxy.getImage()).isEqualTo(SIDECAR);
    assertThat(web.getImage()).isEqualTo(RELEASE.artifact().toString());
    assertThat(web.getEnv().get(0).getName()).as("the user's env first").isEqualTo("LOG_LEVEL");
    assertThat(web.getEnv()).anyMatch(e -> e.getName().equals("CUTOVER_RELEASE"));
    assertThat(web.getPorts()).extracting(p -> p.getName()).containsExactly("metrics", "http");
    assertThat(web.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
    assertThat(
            PodTemplate.parse("spec: {terminationGracePeriodSeconds: 45}", KEY)
                .terminationGracePeriodSeconds())
        .isEqualTo(45);
  }

  @Test
  @DisplayName("a whole kind: PodTemplate object is accepted; its template is used")
  void podTemplateObject() {
    PodTemplateSpec t =
        filled(
            """
            apiVersion: v1
            kind: PodTemplate
            template:
              spec: {serviceAccountName: shop}
            """);
    assertThat(t.getSpec().getServiceAccountName()).isEqualTo("shop");
  }

  @Test
  @DisplayName("the template is copied: filling one release's pod never changes the next one's")
  void copied() {
    PodTemplate template = PodTemplate.parse("spec: {containers: [{name: web}]}", KEY);
    Workloads w = new Workloads("ns", template, 8080);
    w.desired(RELEASE, Map.of(), 1, new OperationId("a"));
    assertThat(template.base().getSpec().getContainers().get(0).getImage()).isNull();
    assertThat(template.base().getSpec().getContainers().get(0).getPorts()).isNullOrEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "own image | spec: {containers: [{name: web, image: 'nginx:1.25'}]}"
            + " | sets image 'nginx:1.25' on spec.containers[0]",
        "sidecar by tag | spec: {containers: [{name: web}, {name: proxy, image: 'envoy:v1'}]}"
            + " | not by digest",
        "init container by tag | spec: {initContainers: [{name: init, image: 'busybox'}]}"
            + " | spec.initContainers[0]",
        "two app containers | spec: {containers: [{name: a}, {name: b}]} | 2 containers without an image",
        "release label | metadata: {labels: {cutover.io/release: x}} | metadata.labels 'cutover.io/release'",
        "service label | metadata: {labels: {cutover.io/service: x}} | metadata.labels 'cutover.io/service'",
        "managed-by | metadata: {labels: {app.kubernetes.io/managed-by: helm}} | app.kubernetes.io/managed-by",
        "cutover annotation | metadata: {annotations: {cutover.io/artifact: x}} | metadata.annotations",
        "name | metadata: {name: web} | metadata.name",
        "restart policy | spec: {restartPolicy: Never} | restartPolicy",
        "http port | spec: {containers: [{name: web, ports: [{name: http, containerPort: 80}]}]} | port 'http'",
        "CUTOVER_ env | spec: {containers: [{name: web, env: [{name: CUTOVER_RELEASE, value: x}]}]} | CUTOVER_RELEASE",
        "config volume | spec: {volumes: [{name: cutover-config, emptyDir: {}}]} | cutover-config",
        "typo in spec | spec: {serviceAcountName: x} | unknown field 'spec.serviceAcountName'",
        "typo in container | spec: {containers: [{name: web, imagePullPolicyy: Always}]} | spec.containers[0].imagePullPolicyy",
        "unknown top level | spex: {} | field 'spex'",
        "not an object | just text | not an object",
        "not YAML | 'spec: [' | is not YAML",
      })
  @DisplayName(
      "templates that set what Cutover owns, or are not templates, are refused naming the key")
  void refused(String what, String yaml, String message) {
    assertThatThrownBy(() -> PodTemplate.parse(yaml, KEY))
        .as(what)
        .isInstanceOf(PodTemplateException.class)
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining(KEY)
        .hasMessageContaining(message)
        .hasMessageContaining("fix:");
  }

  @Test
  @DisplayName(
      "a literal value under a secret-looking env name is refused without printing it; a"
          + " secretKeyRef is fine")
  void literalSecretInTemplate() {
    assertThatThrownBy(
            () ->
                PodTemplate.parse(
                    "spec: {containers: [{name: web, env: [{name: DB_PASSWORD, value: s3cr3t-canary}]}]}",
                    KEY))
        .isInstanceOf(PodTemplateException.class)
        .hasMessageContaining("DB_PASSWORD")
        .hasMessageContaining("secretKeyRef")
        .hasMessageNotContaining("s3cr3t-canary");
    assertThatThrownBy(
            () ->
                PodTemplate.parse(
                    "spec: {containers: [{name: web, env: [{name: DB, value:"
                        + " 'postgres://app:s3cr3t-canary@db/shop'}]}]}",
                    KEY))
        .isInstanceOf(PodTemplateException.class)
        .hasMessageContaining("DB on spec.containers[0]")
        .hasMessageNotContaining("s3cr3t-canary");
    PodTemplate.parse(
        "spec: {containers: [{name: web, env: [{name: DB_PASSWORD, valueFrom: {secretKeyRef:"
            + " {name: db, key: password}}}]}]}",
        KEY);
  }

  @Test
  @DisplayName("every problem of a template is reported at once")
  void allProblems() {
    assertThatThrownBy(
            () ->
                PodTemplate.parse(
                    "metadata: {name: x, labels: {cutover.io/release: y}}\n"
                        + "spec: {restartPolicy: OnFailure}",
                    KEY))
        .isInstanceOfSatisfying(
            PodTemplateException.class, e -> assertThat(e.violations()).hasSize(3));
  }

  @Test
  @DisplayName("config keys map to env names; a clash with the template's env is refused")
  void envNames() {
    assertThat(Workloads.envName("db.url")).isEqualTo("DB_URL");
    assertThat(Workloads.envName("9lives")).isEqualTo("_9LIVES");
    Workloads w =
        new Workloads(
            "ns",
            PodTemplate.parse(
                "spec: {containers: [{name: web, env: [{name: DB_URL, value: x}]}]}", KEY),
            8080);
    ConfigRef ref = ConfigRef.of(Map.of("db.url", "jdbc:x"));
    Release r = Release.of("shop", RELEASE.artifact(), ref);
    assertThatThrownBy(() -> w.desired(r, Map.of("db.url", "jdbc:x"), 1, new OperationId("a")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("config.db.url")
        .hasMessageContaining("(the pod template)");
  }
}
