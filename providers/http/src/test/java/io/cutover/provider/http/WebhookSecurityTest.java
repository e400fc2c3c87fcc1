// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.Verdict;
import io.cutover.api.Verdict.Outcome;
import io.cutover.core.ProviderConfigs;
import io.cutover.core.ProviderRegistry;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 5: the webhook's HMAC key never comes from a configuration literal, a plain-HTTP
 * webhook (whose answer anyone on the path could forge to approve a rollout) needs an explicit
 * allowance, and no secret (HMAC key, token in the URL path, URL user-info) reaches a message, a
 * verdict or {@code toString()}. WireMock is the receiver, as in the other webhook tests.
 */
class WebhookSecurityTest {
  private static final String CANARY = "canary-hmac-secret-5d2e8a";
  private static final Release CANDIDATE =
      Release.of("checkout", new ArtifactRef("team/checkout", Digest.sha256("v2")));

  @RegisterExtension
  static WireMockExtension wm =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @TempDir Path dir;

  private static GateContext ctx() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    return GateContext.builder()
        .rolloutId("r-1")
        .service("checkout")
        .candidate(CANDIDATE)
        .windowStart(now)
        .now(now)
        .build();
  }

  private static HealthGate create(Map<String, ?> config, Map<String, String> env) {
    return new HttpGateProviders.Webhook(env::get)
        .create(
            ProviderConfigs.of("webhook", "$.gates.confirm", config),
            ProviderRegistry.create().context());
  }

  @Test
  @DisplayName("a literal secret is refused, naming secretEnv/secretFile and never the value")
  void literalSecretRefused() {
    assertThatThrownBy(
            () ->
                create(
                    Map.of(
                        "name",
                        "confirm",
                        "url",
                        "https://hooks.example/confirm",
                        "secret",
                        CANARY),
                    Map.of()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("$.gates.confirm.secret")
        .hasMessageContaining("secretEnv")
        .hasMessageContaining("secretFile")
        .hasMessageNotContaining(CANARY);
  }

  @Test
  @DisplayName("plain HTTP is refused unless the host is in insecureHosts; HTTPS needs nothing")
  void plainHttpNeedsAllowance() {
    assertThatThrownBy(() -> create(Map.of("name", "confirm", "url", wm.baseUrl()), Map.of()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("$.gates.confirm.url")
        .hasMessageContaining("approve the rollout")
        .hasMessageContaining("insecureHosts");
    assertThatThrownBy(
            () ->
                WebhookGate.builder("h", "http://hooks.example/x")
                    .insecureHosts(List.of("other.example"))
                    .build())
        .isInstanceOf(InvalidSpecException.class);
    assertThat(WebhookGate.builder("h", "https://hooks.example/x").build()).isNotNull();
    assertThat(
            create(
                Map.of(
                    "name", "confirm", "url", wm.baseUrl(), "insecureHosts", List.of("localhost")),
                Map.of()))
        .isNotNull();
  }

  @Test
  @DisplayName("the secret from a file signs each request and is re-read, so rotation works")
  void fileSecretSignsAndRotates() throws Exception {
    Path file = dir.resolve("hmac");
    String first = CANARY + "-first";
    String second = CANARY + "-second";
    Files.writeString(file, first + "\n");
    HealthGate gate =
        create(
            Map.of(
                "name",
                "confirm",
                "url",
                wm.baseUrl() + "/confirm",
                "secretFile",
                file.toString(),
                "insecureHosts",
                "localhost",
                "maxAttempts",
                1),
            Map.of());
    wm.stubFor(
        post("/confirm")
            .andMatching(Receivers.signedWith(first))
            .willReturn(aResponse().withStatus(200)));

    assertThat(gate.evaluate(ctx()).outcome()).isEqualTo(Outcome.PASS);
    Files.writeString(file, second);
    // The receiver still expects the old key: the new signature is refused (404: no stub matches).
    assertThat(gate.evaluate(ctx()).outcome()).isEqualTo(Outcome.FAIL);
    wm.stubFor(
        post("/confirm")
            .andMatching(Receivers.signedWith(second))
            .willReturn(aResponse().withStatus(200)));
    assertThat(gate.evaluate(ctx()).outcome()).isEqualTo(Outcome.PASS);
    assertThat(gate.toString()).doesNotContain(CANARY).contains("signed");
  }

  @Test
  @DisplayName("a secret that disappears sends nothing: ERROR naming the key, not the secret")
  void vanishedSecretSendsNothing() throws Exception {
    Map<String, String> env = new HashMap<>(Map.of("HOOK_SECRET", CANARY));
    HealthGate gate =
        create(
            Map.of(
                "name", "confirm",
                "url", wm.baseUrl() + "/confirm",
                "secretEnv", "HOOK_SECRET",
                "insecureHosts", "localhost"),
            env);
    env.remove("HOOK_SECRET");

    Verdict v = gate.evaluate(ctx());

    assertThat(v.outcome()).isEqualTo(Outcome.ERROR);
    assertThat(String.join(" ", v.reasons()))
        .contains("$.gates.confirm.secretEnv")
        .doesNotContain(CANARY);
    wm.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  @DisplayName("a token in the URL path and URL user-info never reach a reason or a message")
  void urlSecretsNotShown() {
    HealthGate gate =
        WebhookGate.builder("slack", wm.baseUrl() + "/services/T000/" + CANARY)
            .insecureHosts(List.of("localhost"))
            .retries(1, Duration.ofMillis(1))
            .build();

    Verdict v = gate.evaluate(ctx().toBuilder().phase("confirm-rollout").build());

    assertThat(v.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(String.join(" ", v.reasons())).contains("'slack'").doesNotContain(CANARY);
    assertThat(gate.toString()).doesNotContain(CANARY);
    assertThatThrownBy(() -> WebhookGate.builder("h", "https://bot:" + CANARY + "@hooks.example/x"))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("user-info")
        .hasMessageNotContaining(CANARY);
  }
}
