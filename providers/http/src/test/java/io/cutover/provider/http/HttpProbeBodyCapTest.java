// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.Release;
import io.cutover.api.Verdict;
import io.cutover.api.Verdict.Outcome;
import io.cutover.spi.GateContext;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 11 item 12 (probes): an instance is not trusted for the size of its readiness answer. The
 * probe reads at most {@link HttpProbeGate#MAX_BODY_BYTES}; a marker that only appears after them
 * is not seen (before the cap, the whole body was read into memory and matched).
 */
class HttpProbeBodyCapTest {
  private static final Release CANDIDATE =
      Release.of("checkout", new ArtifactRef("team/checkout", Digest.sha256("v2")));

  @RegisterExtension
  static WireMockExtension wm =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private static Verdict probe(String body) {
    wm.stubFor(get("/ready").willReturn(aResponse().withStatus(200).withBody(body)));
    Instance i =
        new Instance("a", CANDIDATE.id(), URI.create(wm.baseUrl()), InstanceState.READY, null);
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    return HttpProbeGate.of("ready", "/ready", 200, "READY-MARK", Duration.ofSeconds(5))
        .evaluate(
            GateContext.builder()
                .rolloutId("r")
                .service("checkout")
                .candidate(CANDIDATE)
                .windowStart(now)
                .now(now)
                .candidateInstances(List.of(i))
                .build());
  }

  @Test
  @DisplayName("a marker within the first 64 KiB matches; one after them does not, and says so")
  void bodyIsCapped() {
    String padding = "x".repeat(HttpProbeGate.MAX_BODY_BYTES);

    assertThat(probe("READY-MARK" + padding).outcome()).isEqualTo(Outcome.PASS);

    Verdict late = probe(padding + "READY-MARK" + "y".repeat(4 * 1024 * 1024));
    assertThat(late.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(late.reasons().get(0))
        .contains("the first " + HttpProbeGate.MAX_BODY_BYTES + " bytes");
  }
}
