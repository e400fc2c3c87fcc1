// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.Verdict.Outcome;
import io.cutover.core.ProviderConfigs;
import io.cutover.core.ProviderRegistry;
import io.cutover.spi.GateContext;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WebhookGateTest {
  private static final String SECRET = "s3cr3t-0123456789abcdef";
  private static final Release STABLE =
      Release.of("checkout", new ArtifactRef("team/checkout", Digest.sha256("v1")));
  private static final Release CANARY =
      Release.of("checkout", new ArtifactRef("team/checkout", Digest.sha256("v2")));

  @RegisterExtension
  static WireMockExtension wm =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private static GateContext ctx(String phase, List<Instance> instances) {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    return GateContext.builder()
        .rolloutId("r-42")
        .service("checkout")
        .stable(STABLE)
        .candidate(CANARY)
        .windowStart(now)
        .now(now)
        .candidateInstances(instances)
        .phase(phase)
        .params(Map.of("job", "migrate"))
        .step(3)
        .build();
  }

  private static WebhookGate gate(String secret, int attempts, Duration timeout) {
    return WebhookGate.builder("hook", wm.baseUrl() + "/hook")
        .secret(secret)
        .insecureHosts(List.of("localhost"))
        .retries(attempts, Duration.ofMillis(10))
        .timeout(timeout)
        .build();
  }

  @Test
  void sendsASignedPayloadWithRolloutReleaseAndDigest() {
    wm.stubFor(
        post("/hook")
            .andMatching(Receivers.signedWith(SECRET))
            .withRequestBody(
                matchingJsonPath(
                    "$.rollout", com.github.tomakehurst.wiremock.client.WireMock.equalTo("r-42")))
            .withRequestBody(
                matchingJsonPath(
                    "$.candidate.digest",
                    com.github.tomakehurst.wiremock.client.WireMock.equalTo(
                        CANARY.artifact().digest().toString())))
            .withRequestBody(
                matchingJsonPath(
                    "$.stable.id",
                    com.github.tomakehurst.wiremock.client.WireMock.equalTo(STABLE.id())))
            .withRequestBody(
                matchingJsonPath(
                    "$.params.job",
                    com.github.tomakehurst.wiremock.client.WireMock.equalTo("migrate")))
            .withHeader(
                "Idempotency-Key",
                com.github.tomakehurst.wiremock.client.WireMock.equalTo("r-42/3/pre-rollout/1"))
            .willReturn(aResponse().withStatus(200)));
    assertThat(
            gate(SECRET, 1, Duration.ofSeconds(10))
                .evaluate(ctx("pre-rollout", List.of()))
                .outcome())
        .isEqualTo(Outcome.PASS);
    // A wrong key fails the stub's verification: WireMock answers 404, and pre-rollout fails.
    var wrong =
        gate("another-secret-0123456789", 1, Duration.ofSeconds(10))
            .evaluate(ctx("pre-rollout", List.of()));
    assertThat(wrong.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(wrong.reasons().get(0)).contains("answered 404");
  }

  @ParameterizedTest(name = "{0} answering {1} -> {2}")
  @CsvSource({
    "confirm-rollout, 200, PASS", "confirm-rollout, 403, INCONCLUSIVE",
    "pre-rollout, 200, PASS", "pre-rollout, 500, FAIL",
    "rollout, 200, PASS", "rollout, 400, FAIL",
    "confirm-traffic-increase, 200, PASS", "confirm-traffic-increase, 409, INCONCLUSIVE",
    "confirm-promotion, 200, PASS", "confirm-promotion, 403, INCONCLUSIVE",
    "post-rollout, 200, PASS", "post-rollout, 500, PASS",
    "rollback, 200, FAIL", "rollback, 404, PASS",
    "event, 200, PASS", "event, 503, PASS",
    "analysis, 200, PASS", "analysis, 500, FAIL"
  })
  void eachHookKindHasItsFailureSemantics(String phase, int status, Outcome expected) {
    wm.stubFor(post("/hook").willReturn(aResponse().withStatus(status)));
    var v = gate(SECRET, 1, Duration.ofSeconds(10)).evaluate(ctx(phase, List.of()));
    assertThat(v.outcome()).isEqualTo(expected);
    assertThat(v.reasons().get(0)).contains(phase).contains("answered " + status);
  }

  @Test
  void retriesServerErrorsButNotClientErrors() {
    wm.stubFor(post("/hook").willReturn(aResponse().withStatus(503)));
    assertThat(
            gate(SECRET, 3, Duration.ofSeconds(10))
                .evaluate(ctx("pre-rollout", List.of()))
                .outcome())
        .isEqualTo(Outcome.FAIL);
    wm.verify(3, postRequestedFor(urlEqualTo("/hook")));
    wm.resetRequests();
    wm.stubFor(post("/hook").willReturn(aResponse().withStatus(400)));
    gate(SECRET, 3, Duration.ofSeconds(10)).evaluate(ctx("pre-rollout", List.of()));
    wm.verify(1, postRequestedFor(urlEqualTo("/hook")));
  }

  @Test
  void aHookThatTimesOutIsAnErrorExceptForInformationalKinds() {
    wm.stubFor(post("/hook").willReturn(aResponse().withStatus(200).withFixedDelay(1500)));
    var g = gate(SECRET, 2, Duration.ofMillis(200));
    var v = g.evaluate(ctx("confirm-promotion", List.of()));
    assertThat(v.outcome()).isEqualTo(Outcome.ERROR);
    assertThat(v.reasons().get(0)).contains("unreachable");
    assertThat(g.evaluate(ctx("event", List.of())).outcome()).isEqualTo(Outcome.PASS);
  }

  @Test
  void probeGateChecksEveryCandidateInstance() {
    wm.stubFor(
        get("/ready").willReturn(aResponse().withStatus(200).withBody("{\"status\":\"ready\"}")));
    wm.stubFor(get("/b/ready").willReturn(aResponse().withStatus(503)));
    Instance a =
        new Instance("a", CANARY.id(), URI.create(wm.baseUrl()), InstanceState.READY, null);
    Instance b =
        new Instance("b", CANARY.id(), URI.create(wm.baseUrl() + "/b"), InstanceState.READY, null);
    var probe = HttpProbeGate.of("ready", "/ready", 200, "\"ready\"", Duration.ofSeconds(1));
    assertThat(probe.evaluate(ctx("analysis", List.of(a))).outcome()).isEqualTo(Outcome.PASS);
    var v = probe.evaluate(ctx("analysis", List.of(a, b)));
    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.reasons())
        .singleElement()
        .asString()
        .contains("instance b")
        .contains("answered 503");
    assertThat(
            HttpProbeGate.of("ready", "/ready", 200, "healthy", Duration.ofSeconds(1))
                .evaluate(ctx("analysis", List.of(a)))
                .reasons()
                .get(0))
        .contains("body does not match");
    assertThat(probe.evaluate(ctx("analysis", List.of())).outcome())
        .isEqualTo(Outcome.INCONCLUSIVE);
  }

  @Test
  void providersValidateTheirKeys() {
    assertThatThrownBy(
            () ->
                new HttpGateProviders.Webhook(Map.of("HOOK_SECRET", "tiny-k3y")::get)
                    .create(
                        ProviderConfigs.of(
                            "webhook",
                            Map.of(
                                "name", "h",
                                "url", wm.baseUrl(),
                                "secretEnv", "HOOK_SECRET",
                                "insecureHosts", "localhost")),
                        ProviderRegistry.create().withDiscovery().context()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("$.providers.webhook.secretEnv")
        .hasMessageContaining("16 characters")
        .hasMessageNotContaining("tiny-k3y");
    assertThatThrownBy(
            () ->
                new HttpGateProviders.Probe()
                    .create(
                        ProviderConfigs.of("http-probe", Map.of("name", "p", "bodyMatches", "(")),
                        ProviderRegistry.create().withDiscovery().context()))
        .hasMessageContaining("$.providers.http-probe.bodyMatches");
    assertThatThrownBy(
            () ->
                new HttpGateProviders.Probe()
                    .create(
                        ProviderConfigs.of("http-probe", Map.of("name", "p", "pth", "/x")),
                        ProviderRegistry.create().withDiscovery().context()))
        .hasMessageContaining("pth");
  }

  @Test
  void idempotencyKeyNamesTheStepAndTellsEventsApart() {
    GateContext first = ctx("analysis", List.of());
    GateContext laterStep =
        GateContext.builder()
            .rolloutId("r-42")
            .service("checkout")
            .candidate(CANARY)
            .windowStart(first.now())
            .now(first.now())
            .step(7)
            .build();
    assertThat(WebhookGate.idempotencyKey(first)).isEqualTo("r-42/3/analysis/1");
    assertThat(WebhookGate.idempotencyKey(laterStep)).isEqualTo("r-42/7/analysis/1");
    // retries of one delivery reuse its context: same key
    assertThat(WebhookGate.idempotencyKey(first)).isEqualTo(WebhookGate.idempotencyKey(first));
    GateContext shifted =
        first.toBuilder().phase("event").params(Map.of("event.type", "TRAFFIC_SHIFTED")).build();
    GateContext verdict =
        first.toBuilder().phase("event").params(Map.of("event.type", "GATE_VERDICT")).build();
    assertThat(WebhookGate.idempotencyKey(shifted))
        .startsWith("r-42/3/event/1/")
        .hasSize("r-42/3/event/1/".length() + 16)
        .isNotEqualTo(WebhookGate.idempotencyKey(verdict));
  }
}
