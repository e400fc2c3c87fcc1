// SPDX-License-Identifier: Apache-2.0
package io.cutover.security;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.cutover.api.ArtifactRef;
import io.cutover.api.TagRef;
import io.cutover.provider.oci.Credentials;
import io.cutover.provider.oci.CredentialsProvider;
import io.cutover.provider.oci.OciArtifactStore;
import io.cutover.testfixtures.RegistryServer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry password as a secret canary: a real registry (distribution) behind a front that
 * demands HTTP Basic credentials (distribution's own htpasswd auth needs bcrypt files no tool here
 * writes, so WireMock checks the header and proxies the accepted requests to the real registry). A
 * pull with the right password, then with a wrong one, then against a front that fails: the
 * password must appear in no exception, log line or toString().
 */
@DisplayName("Secret canaries: the registry password")
class RegistrySecretCanaryTest {
  private final String password = "cnry-registry-" + UUID.randomUUID().toString().replace("-", "");
  @TempDir Path dir;
  private RegistryServer registry;
  private WireMockServer front;

  @AfterEach
  void stop() {
    if (front != null) {
      front.stop();
    }
    if (registry != null) {
      registry.close();
    }
  }

  private static String basic(String user, String pass) {
    return "Basic "
        + Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
  }

  private OciArtifactStore store(String pass) {
    String host = "127.0.0.1:" + front.port();
    return OciArtifactStore.builder()
        .insecure(host)
        .credentials(CredentialsProvider.of(Map.of(host, Credentials.of("deployer", pass))))
        .build();
  }

  @Test
  @DisplayName("a pull with the password, a refused password and a failing registry leak nothing")
  void registryPassword() throws Exception {
    RegistryServer.requireBinaries("docker-registry", "umoci", "skopeo");
    registry = RegistryServer.start(dir.resolve("registry"));
    registry.pushImage(dir, "team/app", "1.0", "one\n", "2026-01-10T12:00:00Z", Map.of());
    front = new WireMockServer(options().dynamicPort());
    front.start();
    front.stubFor(
        any(anyUrl())
            .atPriority(1)
            .withHeader("Authorization", equalTo(basic("deployer", password)))
            .willReturn(aResponse().proxiedFrom("http://" + registry.host())));
    front.stubFor(
        any(anyUrl())
            .atPriority(5)
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader("WWW-Authenticate", "Basic realm=\"registry\"")));
    TagRef tag = new TagRef("127.0.0.1:" + front.port() + "/team/app", "1.0");
    LeakScanner scan = new LeakScanner(Set.of(password));

    try (OciArtifactStore good = store(password)) {
      ArtifactRef ref = good.resolve(tag);
      good.verify(ref);
      try (InputStream in = good.fetch(ref)) {
        assertThat(in.readAllBytes()).isNotEmpty();
      }
      scan.reachable("store after a pull", good, ref);
    }
    // The front really demanded the password: without it, nothing is served.
    try (OciArtifactStore wrong = store("not-the-" + password.substring(5))) {
      Throwable refused = catchThrowable(() -> wrong.resolve(tag));
      assertThat(refused).isNotNull();
      scan.exception("refused pull", refused);
      scan.reachable("store after a refused pull", wrong, refused);
    }
    front.resetAll();
    front.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(500).withBody("boom")));
    try (OciArtifactStore failing = store(password)) {
      Throwable failed = catchThrowable(() -> failing.resolve(tag));
      assertThat(failed).isNotNull();
      scan.exception("failed pull", failed);
      scan.reachable("store after a failed pull", failing, failed);
    }
    scan.files(Logs.file());
    assertThat(scan.findings()).isEmpty();
  }
}
