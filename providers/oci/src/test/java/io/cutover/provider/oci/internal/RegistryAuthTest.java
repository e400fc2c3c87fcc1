// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 items 3 and 15: token lifetimes are bounded, and the transport rule for credentials is
 * decided by the insecure-host list, not by comparing a URL with itself.
 */
class RegistryAuthTest {
  static final Instant NOW = Instant.parse("2026-12-05T08:00:00Z");

  static Instant expiry(String json) throws Exception {
    JsonNode doc = Manifests.JSON.readTree("{\"expires_in\":" + json + "}");
    return RegistryAuth.expiry(NOW, doc.path("expires_in"));
  }

  @Test
  @DisplayName("a normal expires_in: that long, minus the 5 s refresh margin")
  void normal() throws Exception {
    assertThat(expiry("300")).isEqualTo(NOW.plusSeconds(295));
  }

  @Test
  @DisplayName("absent, zero, negative, fractional or text expires_in: the 60 s default")
  void nonsenseGetsTheDefault() throws Exception {
    Instant dflt = NOW.plusSeconds(55);
    assertThat(RegistryAuth.expiry(NOW, Manifests.JSON.readTree("{}").path("expires_in")))
        .isEqualTo(dflt);
    for (String v : new String[] {"0", "-1", "-9223372036854775808", "1.5", "\"600\"", "null"}) {
      assertThat(expiry(v)).as(v).isEqualTo(dflt);
    }
  }

  @Test
  @DisplayName(
      "huge expires_in (Long.MAX_VALUE, beyond a long): capped at one hour, no overflow or exception")
  void hugeIsCapped() throws Exception {
    Instant capped = NOW.plus(RegistryAuth.MAX_TOKEN_LIFETIME).minusSeconds(5);
    assertThat(expiry("9223372036854775807")).isEqualTo(capped);
    assertThat(expiry("99999999999999999999999999")).isEqualTo(capped);
    assertThat(expiry("1e300")).isEqualTo(NOW.plusSeconds(55));
  }

  @Test
  @DisplayName("a 1 s token is used for half its life, not expired before it is stored")
  void shortLived() throws Exception {
    assertThat(expiry("1")).isEqualTo(NOW.plusMillis(500)).isAfter(NOW);
    assertThat(expiry("6")).isEqualTo(NOW.plusSeconds(3));
    assertThat(Duration.between(NOW, expiry("10"))).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  @DisplayName(
      "plain HTTP is safe only for hosts listed as insecure (the old check compared a URL with itself)")
  void transportRule() {
    CredentialGuard guard = new CredentialGuard(Set.of("127.0.0.1:5000", "registry.local"));
    assertThat(guard.transportSafe(HttpUrl.get("https://registry.example.com/v2/"))).isTrue();
    assertThat(guard.transportSafe(HttpUrl.get("http://127.0.0.1:5000/v2/"))).isTrue();
    assertThat(guard.transportSafe(HttpUrl.get("http://registry.local/token"))).isTrue();
    assertThat(guard.transportSafe(HttpUrl.get("http://registry.example.com/v2/"))).isFalse();
    assertThat(guard.transportSafe(HttpUrl.get("http://127.0.0.1:5001/v2/"))).isFalse();
  }

  @Test
  @DisplayName("redacted URLs keep scheme, host, port and path, never user info or the query")
  void redaction() {
    assertThat(
            Urls.redact(
                HttpUrl.get(
                    "https://user:pw@bucket.s3.amazonaws.com:8443/docker/blobs/data?X-Amz-Signature=abc&X-Amz-Credential=k")))
        .isEqualTo("https://bucket.s3.amazonaws.com:8443/docker/blobs/data?<redacted>");
    assertThat(Urls.redact("http://127.0.0.1:5000/v2/demo/app/manifests/1.0"))
        .isEqualTo("http://127.0.0.1:5000/v2/demo/app/manifests/1.0");
  }
}
