// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.cutover.spi.HealthGate;
import io.cutover.testkit.contract.HealthGateContract;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link WebhookGate} as an analysis webhook passes the kit against a WireMock receiver that
 * verifies the HMAC signature and knows which candidate it judges: it answers only for that release
 * id, so a release it has never heard of (or no verdict at all) gets WireMock's 404, a FAIL for
 * analysis webhooks.
 */
@DisplayName("WebhookGate (analysis)")
class WebhookGateContractTest extends HealthGateContract {
  private static final String SECRET = "contract-secret-0123456789";

  @RegisterExtension
  static WireMockExtension wm =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @Override
  protected HealthGate createGate() {
    return WebhookGate.builder("load-test", wm.baseUrl() + "/analysis")
        .secret(SECRET)
        .insecureHosts(List.of("localhost"))
        .retries(2, Duration.ofMillis(10))
        .timeout(Duration.ofSeconds(2))
        .build();
  }

  private MappingBuilder aboutTheCandidate() {
    return post("/analysis")
        .andMatching(Receivers.signedWith(SECRET))
        .withRequestBody(matchingJsonPath("$.candidate.id", equalTo(candidate().id())))
        .withRequestBody(
            matchingJsonPath(
                "$.candidate.digest", equalTo(candidate().artifact().digest().toString())));
  }

  @Override
  protected void arrangeHealthy() {
    wm.stubFor(
        aboutTheCandidate()
            .willReturn(aResponse().withStatus(200).withBody("{\"verdict\":\"ok\"}")));
  }

  @Override
  protected void arrangeUnhealthy() {
    wm.stubFor(
        aboutTheCandidate()
            .willReturn(aResponse().withStatus(409).withBody("{\"verdict\":\"p99 regressed\"}")));
  }

  @Override
  protected void arrangeNoData() {
    // The receiver has no verdict on the candidate: nothing is stubbed.
  }
}
