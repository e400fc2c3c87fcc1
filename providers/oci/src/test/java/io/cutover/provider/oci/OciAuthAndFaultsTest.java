// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.DigestMismatchException;
import io.cutover.api.ProviderException;
import io.cutover.api.TagRef;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What the local registry cannot do: the bearer-token flow, basic auth, 401/429/5xx answers and
 * lying digests, served by WireMock.
 */
class OciAuthAndFaultsTest {
  static final String MANIFEST =
      "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
          + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
          + Digest.sha256("{}")
          + "\",\"size\":2},\"layers\":[]}";
  static final Digest DIGEST = Digest.sha256(MANIFEST);
  static final String PATH = "/v2/demo/app/manifests/1.0";
  static final String SECRET = "s3cr3t-password";

  static WireMockServer primary;
  static WireMockServer mirror;

  @BeforeAll
  static void start() {
    primary = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    mirror = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    primary.start();
    mirror.start();
  }

  @AfterAll
  static void stop() {
    primary.stop();
    mirror.stop();
  }

  @BeforeEach
  void reset() {
    primary.resetAll();
    mirror.resetAll();
  }

  static String host(WireMockServer s) {
    return "127.0.0.1:" + s.port();
  }

  static TagRef tag(WireMockServer s) {
    return new TagRef(host(s) + "/demo/app", "1.0");
  }

  static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder manifestResponse() {
    return aResponse()
        .withStatus(200)
        .withHeader("Content-Type", "application/vnd.oci.image.manifest.v1+json")
        .withHeader("Docker-Content-Digest", DIGEST.toString())
        .withBody(MANIFEST);
  }

  OciArtifactStore.Builder store() {
    return OciArtifactStore.builder()
        .insecure(host(primary), host(mirror))
        .retry(3, Duration.ofMillis(5));
  }

  @Test
  @DisplayName(
      "bearer flow: 401 challenge, token fetched with the credentials for realm/service/scope, then cached")
  void bearerTokenFlow() {
    String realm = "http://" + host(primary) + "/token";
    primary.stubFor(
        get(urlEqualTo(PATH))
            .withHeader("Authorization", absent())
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader(
                        "WWW-Authenticate",
                        "Bearer realm=\""
                            + realm
                            + "\",service=\"test-registry\",scope=\"repository:demo/app:pull\"")));
    primary.stubFor(
        get(urlEqualTo(PATH))
            .withHeader("Authorization", equalTo("Bearer T-123"))
            .willReturn(manifestResponse()));
    primary.stubFor(
        get(urlPathEqualTo("/token"))
            .withQueryParam("service", equalTo("test-registry"))
            .withQueryParam("scope", equalTo("repository:demo/app:pull"))
            .withHeader("Authorization", equalTo(okhttp3.Credentials.basic("ci", SECRET)))
            .willReturn(
                aResponse().withStatus(200).withBody("{\"token\":\"T-123\",\"expires_in\":300}")));

    try (OciArtifactStore s =
        store()
            .credentials(
                CredentialsProvider.of(Map.of(host(primary), Credentials.of("ci", SECRET))))
            .build()) {
      assertThat(s.resolve(tag(primary)).digest()).isEqualTo(DIGEST);
      assertThat(s.resolve(tag(primary)).digest()).isEqualTo(DIGEST);
    }
    primary.verify(1, getRequestedFor(urlPathEqualTo("/token")));
    primary.verify(1, getRequestedFor(urlEqualTo(PATH)).withHeader("Authorization", absent()));
    primary.verify(
        2, getRequestedFor(urlEqualTo(PATH)).withHeader("Authorization", equalTo("Bearer T-123")));
    primary.verify(
        getRequestedFor(urlEqualTo(PATH))
            .withHeader(
                "Accept",
                equalTo(
                    "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
                        + "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json")));
  }

  @Test
  @DisplayName("refused credentials: a non-retryable error that never shows the password")
  void refusedCredentialsAreRedacted() {
    primary.stubFor(
        get(urlEqualTo(PATH))
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader(
                        "WWW-Authenticate",
                        "Bearer realm=\"http://" + host(primary) + "/token\",service=\"r\"")));
    primary.stubFor(get(urlPathEqualTo("/token")).willReturn(aResponse().withStatus(401)));
    Credentials creds = Credentials.of("ci", SECRET);

    try (OciArtifactStore s =
        store().credentials(CredentialsProvider.of(Map.of(host(primary), creds))).build()) {
      Throwable t = catchThrowable(() -> s.resolve(tag(primary)));
      assertThat(t)
          .isInstanceOf(ProviderException.class)
          .hasMessageContaining("refused")
          .hasMessageNotContaining(SECRET)
          .hasMessageContaining("redacted");
      assertThat(((ProviderException) t).retryable()).isFalse();
    }
    primary.verify(1, getRequestedFor(urlPathEqualTo("/token")));
    assertThat(creds.toString()).doesNotContain(SECRET);
  }

  @Test
  @DisplayName(
      "anonymous bearer tokens are fetched without credentials; basic challenges get the host's credentials")
  void anonymousBearerAndBasic() {
    primary.stubFor(
        get(urlEqualTo(PATH))
            .withHeader("Authorization", absent())
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader(
                        "WWW-Authenticate",
                        "Bearer realm=\"http://" + host(primary) + "/token\",service=\"r\"")));
    primary.stubFor(
        get(urlPathEqualTo("/token"))
            .withHeader("Authorization", absent())
            .willReturn(aResponse().withStatus(200).withBody("{\"access_token\":\"anon\"}")));
    primary.stubFor(
        get(urlEqualTo(PATH))
            .withHeader("Authorization", equalTo("Bearer anon"))
            .willReturn(manifestResponse()));
    mirror.stubFor(
        get(urlEqualTo(PATH))
            .withHeader("Authorization", absent())
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader("WWW-Authenticate", "Basic realm=\"registry\"")));
    mirror.stubFor(
        get(urlEqualTo(PATH))
            .withHeader("Authorization", equalTo(okhttp3.Credentials.basic("u", SECRET)))
            .willReturn(manifestResponse()));

    try (OciArtifactStore s =
        store()
            .credentials(CredentialsProvider.of(Map.of(host(mirror), Credentials.of("u", SECRET))))
            .build()) {
      assertThat(s.resolve(tag(primary)).digest()).isEqualTo(DIGEST);
      assertThat(s.resolve(tag(mirror)).digest()).isEqualTo(DIGEST);
    }
  }

  @Test
  @DisplayName("429 then 200: retried and served")
  void tooManyRequestsIsRetried() {
    primary.stubFor(
        get(urlEqualTo(PATH))
            .inScenario("rate")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1"))
            .willSetStateTo("ok"));
    primary.stubFor(
        get(urlEqualTo(PATH))
            .inScenario("rate")
            .whenScenarioStateIs("ok")
            .willReturn(manifestResponse()));

    try (OciArtifactStore s = store().build()) {
      assertThat(s.resolve(tag(primary)).digest()).isEqualTo(DIGEST);
    }
    primary.verify(2, getRequestedFor(urlEqualTo(PATH)));
  }

  @Test
  @DisplayName("5xx every time: exactly maxAttempts requests, then a retryable ProviderException")
  void serverErrorsExhaustRetries() {
    primary.stubFor(get(urlEqualTo(PATH)).willReturn(aResponse().withStatus(503)));

    try (OciArtifactStore s = store().build()) {
      Throwable t = catchThrowable(() -> s.resolve(tag(primary)));
      assertThat(t)
          .isInstanceOf(ProviderException.class)
          .hasMessageContaining("HTTP 503")
          .hasMessageContaining("3 attempt(s)");
      assertThat(((ProviderException) t).retryable()).isTrue();
      assertThat(((ProviderException) t).operation()).isEqualTo("resolve");
    }
    primary.verify(3, getRequestedFor(urlEqualTo(PATH)));
  }

  @Test
  @DisplayName("404 and a lying Docker-Content-Digest are not retried")
  void notRetried() {
    primary.stubFor(
        get(urlEqualTo("/v2/demo/app/manifests/missing")).willReturn(aResponse().withStatus(404)));
    primary.stubFor(
        get(urlEqualTo(PATH))
            .willReturn(
                manifestResponse()
                    .withHeader(
                        "Docker-Content-Digest", Digest.sha256("something else").toString())));

    try (OciArtifactStore s =
        store().mirrors(host(primary), java.util.List.of(host(mirror))).build()) {
      assertThatThrownBy(() -> s.resolve(new TagRef(host(primary) + "/demo/app", "missing")))
          .isInstanceOf(NoSuchElementException.class);
      assertThatThrownBy(() -> s.resolve(tag(primary)))
          .isInstanceOf(DigestMismatchException.class)
          .satisfies(e -> assertThat(((DigestMismatchException) e).actual()).isEqualTo(DIGEST));
    }
    primary.verify(1, getRequestedFor(urlEqualTo("/v2/demo/app/manifests/missing")));
    primary.verify(1, getRequestedFor(urlEqualTo(PATH)));
    assertThat(mirror.getAllServeEvents()).isEmpty();
  }

  @Test
  @DisplayName(
      "primary answering 503: the mirror serves; once the primary's circuit opens it is no longer asked")
  void mirrorAndCircuitBreaker() {
    primary.stubFor(get(urlEqualTo(PATH)).willReturn(aResponse().withStatus(503)));
    mirror.stubFor(get(urlEqualTo(PATH)).willReturn(manifestResponse()));

    try (OciArtifactStore s =
        store()
            .mirrors(host(primary), java.util.List.of(host(mirror)))
            .circuitBreaker(2, Duration.ofMinutes(5))
            .build()) {
      for (int i = 0; i < 5; i++) {
        assertThat(s.resolve(tag(primary)))
            .isEqualTo(new ArtifactRef(host(primary) + "/demo/app", DIGEST));
      }
    }
    primary.verify(2, getRequestedFor(urlEqualTo(PATH)));
    mirror.verify(5, getRequestedFor(urlEqualTo(PATH)));
  }

  @Test
  @DisplayName("a large blob whose bytes do not match fails at the end of the stream")
  void streamedBlobMismatch() throws Exception {
    byte[] real = new byte[512 * 1024];
    Arrays.fill(real, (byte) 7);
    byte[] served = real.clone();
    served[1000] = 8;
    Digest d = Digest.sha256(real);
    primary.stubFor(
        get(urlEqualTo("/v2/demo/app/blobs/" + d))
            .willReturn(aResponse().withStatus(200).withBody(served)));
    primary.stubFor(
        get(urlEqualTo("/v2/demo/app/manifests/" + d)).willReturn(aResponse().withStatus(404)));

    try (OciArtifactStore s = store().build();
        InputStream in = s.fetch(new ArtifactRef(host(primary) + "/demo/app", d))) {
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(DigestMismatchException.class)
          .hasMessageContaining(d.toString());
    }
    primary.stubFor(
        get(urlEqualTo("/v2/demo/app/blobs/" + d))
            .willReturn(aResponse().withStatus(200).withBody(real)));
    try (OciArtifactStore s = store().build();
        InputStream in = s.fetch(new ArtifactRef(host(primary) + "/demo/app", d))) {
      assertThat(in.readAllBytes()).isEqualTo(real);
    }
  }

  @Test
  @DisplayName("credentials are never sent over plain HTTP to a token service of an HTTPS registry")
  void noCredentialsOverPlainHttp() {
    assertThat(
            new String(
                Credentials.of("u", SECRET).basicHeader().getBytes(StandardCharsets.UTF_8),
                StandardCharsets.UTF_8))
        .startsWith("Basic ");
    // The registry is reached over HTTPS here (not listed as insecure): the TLS handshake with
    // WireMock's
    // plain port fails first, which is the point: nothing is ever sent in clear text.
    try (OciArtifactStore s =
        OciArtifactStore.builder()
            .retry(1, Duration.ofMillis(5))
            .credentials(CredentialsProvider.of(Map.of(host(primary), Credentials.of("u", SECRET))))
            .build()) {
      assertThatThrownBy(() -> s.resolve(tag(primary)))
          .isInstanceOf(ProviderException.class)
          .hasMessageNotContaining(SECRET);
    }
    assertThat(primary.getAllServeEvents()).isEmpty();
  }
}
