// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ConfigRefTest {
  @Test
  @DisplayName("canonical JSON: sorted keys, no whitespace, minimal escapes")
  void canonicalJson() {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("z", "last");
    config.put(
        "a.b", "quote \" backslash \\ newline \n tab \t cr \r bs \b ff \f bell \u0007 slash / é");
    config.put("B", "upper sorts first");

    assertThat(ConfigRef.canonicalJson(config))
        .isEqualTo(
            "{\"B\":\"upper sorts first\","
                + "\"a.b\":\"quote \\\" backslash \\\\ newline \\n tab \\t cr \\r bs \\b ff \\f bell \\u0007 slash / é\","
                + "\"z\":\"last\"}");
    assertThat(ConfigRef.canonicalJson(Map.of())).isEqualTo("{}");
  }

  @Test
  @DisplayName("keys sort by UTF-16 code unit, as RFC 8785 canonical JSON does")
  void sortOrder() {
    // U+FF61 is above the surrogates that encode U+1F600, so the two orders disagree on this pair.
    String emoji = "\uD83D\uDE00";
    String halfwidth = "\uFF61";

    assertThat(ConfigRef.canonicalJson(Map.of(halfwidth, "1", emoji, "2")))
        .isEqualTo("{\"" + emoji + "\":\"2\",\"" + halfwidth + "\":\"1\"}");
  }

  @Test
  @DisplayName("the digest is the SHA-256 of the canonical JSON, whatever the map's order")
  void stable() {
    Map<String, String> one = new LinkedHashMap<>();
    one.put("pool.size", "20");
    one.put("region", "eu-west-1");
    Map<String, String> other = new HashMap<>();
    other.put("region", "eu-west-1");
    other.put("pool.size", "20");

    assertThat(ConfigRef.of(one)).isEqualTo(ConfigRef.of(other));
    assertThat(ConfigRef.of(one).digest())
        .isEqualTo(Digest.sha256("{\"pool.size\":\"20\",\"region\":\"eu-west-1\"}"));
    assertThat(ConfigRef.of(Map.of("region", "eu-west-2")))
        .isNotEqualTo(ConfigRef.of(Map.of("region", "eu-west-1")));
    assertThat(ConfigRef.EMPTY.digest()).isEqualTo(Digest.sha256("{}"));
    assertThat(ConfigRef.EMPTY).hasToString("config@" + Digest.sha256("{}"));
  }

  @Test
  @DisplayName("refuses literal secrets, listing every key and never the value")
  void secretsRefused() {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("db.password", "hunter2");
    config.put("name", "checkout");
    config.put("stripe.apiKey", "sk_live_1");
    config.put("auth.token", "t0k3n");
    config.put("tls.private_key", "-----BEGIN");

    assertThatThrownBy(() -> ConfigRef.of(config))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> {
              assertThat(e.violations())
                  .extracting(InvalidSpecException.Violation::path)
                  .containsExactlyInAnyOrder(
                      "config.db.password",
                      "config.stripe.apiKey",
                      "config.auth.token",
                      "config.tls.private_key");
              assertThat(e.getMessage())
                  .doesNotContain("hunter2", "sk_live_1", "t0k3n", "BEGIN")
                  .contains("${secret:NAME}");
            });
  }

  @Test
  @DisplayName("accepts ${secret:NAME} references under secret keys, and only well-formed ones")
  void secretReferences() {
    ConfigRef ref =
        ConfigRef.of(
            Map.of(
                "db.password", "${secret:checkout/db-password}", "API_KEY", "${secret:stripe.v1}"));

    assertThat(ref.digest())
        .isEqualTo(
            Digest.sha256(
                "{\"API_KEY\":\"${secret:stripe.v1}\",\"db.password\":\"${secret:checkout/db-password}\"}"));
    assertThatThrownBy(() -> ConfigRef.of(Map.of("token", "${secret:}")))
        .isInstanceOf(InvalidSpecException.class);
    assertThatThrownBy(() -> ConfigRef.of(Map.of("token", "${secret:a b}")))
        .isInstanceOf(InvalidSpecException.class);
    assertThatThrownBy(() -> ConfigRef.of(Map.of("token", "prefix ${secret:a}")))
        .isInstanceOf(InvalidSpecException.class);
  }

  @Test
  @DisplayName(
      "secret-looking keys: password, token, credential, api key, private key, anything ending in key")
  void secretKeys() {
    assertThat(ConfigRef.isSecretKey("DB_PASSWORD")).isTrue();
    assertThat(ConfigRef.isSecretKey("smtp.passwd")).isTrue();
    assertThat(ConfigRef.isSecretKey("clientSecret")).isTrue();
    assertThat(ConfigRef.isSecretKey("aws.credentials")).isTrue();
    assertThat(ConfigRef.isSecretKey("stripe.apikey")).isTrue();
    assertThat(ConfigRef.isSecretKey("ssh.key")).isTrue();
    assertThat(ConfigRef.isSecretKey("cache.key.prefix")).isFalse();
    assertThat(ConfigRef.isSecretKey("keyboard.layout")).isFalse();
    assertThat(ConfigRef.isSecretKey("pool.size")).isFalse();
  }

  @Test
  @DisplayName("refuses blank keys and null values, listing both")
  void blanksAndNulls() {
    Map<String, String> config = new HashMap<>();
    config.put(" ", "x");
    config.put("region", null);

    assertThatThrownBy(() -> ConfigRef.canonicalJson(config))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e ->
                assertThat(e.violations())
                    .extracting(InvalidSpecException.Violation::path)
                    .containsExactlyInAnyOrder("config", "config.region"));
    assertThatThrownBy(() -> new ConfigRef(null))
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("config.digest"));
  }

  @Test
  @DisplayName("more secret key names: pwd, auth, authorization, passphrase, api-key")
  void moreSecretKeys() {
    assertThat(ConfigRef.isSecretKey("db.pwd")).isTrue();
    assertThat(ConfigRef.isSecretKey("proxy.auth")).isTrue();
    assertThat(ConfigRef.isSecretKey("basicAuth")).isTrue();
    assertThat(ConfigRef.isSecretKey("http.authorization")).isTrue();
    assertThat(ConfigRef.isSecretKey("tls.passphrase")).isTrue();
    assertThat(ConfigRef.isSecretKey("x-api-key")).isTrue();
    assertThat(ConfigRef.isSecretKey("book.author")).isFalse();
    assertThat(ConfigRef.isSecretKey("oidc.authority")).isFalse();
    assertThat(ConfigRef.isSecretKey("auth.enabled")).isFalse();
  }

  @Test
  @DisplayName("values that look like secrets are refused under any key, never shown")
  void secretValues() {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("db.url", "postgres://app:hunter2@db.internal:5432/app");
    config.put("git.remote", "https://ghtoken123@github.com/org/repo.git");
    config.put("tls.pem", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----");
    config.put(
        "session",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U");
    config.put("aws", "AKIAIOSFODNN7EXAMPLE");
    config.put("ci", "ghp_" + "a".repeat(36));
    config.put("public.url", "https://shop.example/checkout?from=a@b");
    config.put("greeting", "hello");

    assertThatThrownBy(() -> ConfigRef.of(config))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> {
              assertThat(e.violations())
                  .extracting(InvalidSpecException.Violation::path)
                  .containsExactlyInAnyOrder(
                      "config.db.url",
                      "config.git.remote",
                      "config.tls.pem",
                      "config.session",
                      "config.aws",
                      "config.ci");
              assertThat(e.getMessage())
                  .contains("a URL with user-info", "a PEM private key", "a JSON Web Token")
                  .doesNotContain("hunter2", "ghtoken123", "MHcCAQEE", "eyJhbGci", "AKIAIOSF");
            });
    assertThat(ConfigRef.looksLikeSecret("https://shop.example/checkout?from=a@b")).isFalse();
    assertThat(ConfigRef.looksLikeSecret("-----BEGIN PUBLIC KEY-----")).isFalse();
  }

  @Test
  @DisplayName("keys marked secret by the caller must hold references; the digest ignores the mark")
  void explicitSecretKeys() {
    Map<String, String> config = Map.of("license", "L-1234-5678", "region", "eu-west-1");

    assertThatThrownBy(() -> ConfigRef.of(config, Set.of("license", "absent")))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> {
              assertThat(e.path()).isEqualTo("config.license");
              assertThat(e.getMessage()).contains("marked secret").doesNotContain("L-1234");
            });
    Map<String, String> ref = Map.of("license", "${secret:license}", "region", "eu-west-1");
    assertThat(ConfigRef.of(ref, Set.of("license"))).isEqualTo(ConfigRef.of(ref));
  }
}
