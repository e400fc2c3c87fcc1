// SPDX-License-Identifier: Apache-2.0
package io.cutover.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.spi.ProviderConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ProviderConfigsTest {
  private static ProviderConfig config(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return ProviderConfigs.of("haproxy", m);
  }

  private static void refused(Executable e, String path, String... messageParts) {
    assertThatThrownBy(e::execute)
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            ex -> {
              assertThat(ex.path()).isEqualTo(path);
              for (String part : messageParts) {
                assertThat(ex.getMessage()).contains(part);
              }
            });
  }

  @Test
  @DisplayName("strings: present, defaulted, required; scalars convert; objects do not")
  void strings() {
    ProviderConfig c =
        config("socket", "/run/h.sock", "port", 8404, "tls", Map.of("cert", "a.pem"), "blank", " ");

    assertThat(c.getString("socket")).isEqualTo("/run/h.sock");
    assertThat(c.getString("port")).isEqualTo("8404");
    assertThat(c.getString("absent")).isNull();
    assertThat(c.getString("absent", "fallback")).isEqualTo("fallback");
    assertThat(c.requireString("socket")).isEqualTo("/run/h.sock");
    refused(
        () -> c.requireString("backend"),
        "$.providers.haproxy.backend",
        "provider 'haproxy' requires 'backend', which is missing",
        "set 'backend' to a string");
    refused(() -> c.requireString("blank"), "$.providers.haproxy.blank");
    refused(
        () -> c.getString("tls"),
        "$.providers.haproxy.tls",
        "expected a string, found an object with");
  }

  @Test
  @DisplayName(
      "numbers: ints, longs and doubles from numbers or numeric strings; fractions and overflow refused")
  void numbers() {
    ProviderConfig c =
        config(
            "a", 42, "b", "17", "c", 2.5, "d", 3_000_000_000L, "e", "0.25", "f", "ten", "g", 7.0);

    assertThat(c.getInt("a", 0)).isEqualTo(42);
    assertThat(c.getInt("b", 0)).isEqualTo(17);
    assertThat(c.getInt("absent", 5)).isEqualTo(5);
    assertThat(c.requireInt("a")).isEqualTo(42);
    assertThat(c.getInt("g", 0)).isEqualTo(7);
    refused(
        () -> c.requireInt("absent"),
        "$.providers.haproxy.absent",
        "requires 'absent'",
        "an integer");
    refused(
        () -> c.getInt("c", 0),
        "$.providers.haproxy.c",
        "expected an integer, found a number (value not shown)");
    refused(() -> c.getInt("d", 0), "$.providers.haproxy.d", "within int range");
    assertThat(c.getLong("d", 0)).isEqualTo(3_000_000_000L);
    assertThat(c.getLong("absent", -1)).isEqualTo(-1);
    refused(
        () -> c.getLong("f", 0),
        "$.providers.haproxy.f",
        "found a string of 3 characters (value not shown)");
    assertThat(c.getDouble("c", 0)).isEqualTo(2.5);
    assertThat(c.getDouble("e", 0)).isEqualTo(0.25);
    assertThat(c.getDouble("absent", 1.5)).isEqualTo(1.5);
    refused(() -> c.getDouble("f", 0), "$.providers.haproxy.f", "expected a number");
  }

  @Test
  @DisplayName("booleans: true/false in any case; anything else refused")
  void booleans() {
    ProviderConfig c = config("a", true, "b", "FALSE", "c", "yes");

    assertThat(c.getBoolean("a", false)).isTrue();
    assertThat(c.getBoolean("b", true)).isFalse();
    assertThat(c.getBoolean("absent", true)).isTrue();
    refused(
        () -> c.getBoolean("c", false),
        "$.providers.haproxy.c",
        "expected true or false, found a string of 3 characters");
  }

  @Test
  @DisplayName(
      "durations: 250ms, 30s, 5m, 1h, 1d, combinations like 1m30s, ISO-8601 in any case, Duration values")
  void durations() {
    Map<String, Duration> ok = new LinkedHashMap<>();
    ok.put("250ms", Duration.ofMillis(250));
    ok.put("30s", Duration.ofSeconds(30));
    ok.put("5m", Duration.ofMinutes(5));
    ok.put("1h", Duration.ofHours(1));
    ok.put("1d", Duration.ofDays(1));
    ok.put("1m30s", Duration.ofSeconds(90));
    ok.put("1h2m3s4ms", Duration.ofHours(1).plusMinutes(2).plusSeconds(3).plusMillis(4));
    ok.put("0s", Duration.ZERO);
    ok.put(" 10S ", Duration.ofSeconds(10));
    ok.put("PT30S", Duration.ofSeconds(30));
    ok.put("pt1m30s", Duration.ofSeconds(90));
    ok.put("P1DT1H", Duration.ofHours(25));
    ok.forEach(
        (text, expected) ->
            assertThat(config("t", text).getDuration("t", Duration.ZERO))
                .as(text)
                .isEqualTo(expected));
    assertThat(config("t", Duration.ofSeconds(7)).requireDuration("t"))
        .isEqualTo(Duration.ofSeconds(7));
    assertThat(config().getDuration("t", Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
    refused(
        () -> config().requireDuration("timeout"),
        "$.providers.haproxy.timeout",
        "a duration such as 30s");
  }

  @Test
  @DisplayName(
      "malformed durations are refused with the path and the accepted forms, never with a raw exception")
  void badDurations() {
    for (String text :
        Arrays.asList(
            "30",
            "5 m",
            "1h30",
            "-5s",
            "",
            "s",
            "1y",
            "PTXS",
            "1.5s",
            "30s5",
            "99999999999999999999s",
            "9223372036854775807d")) {
      refused(
          () -> config("timeout", text).getDuration("timeout", Duration.ZERO),
          "$.providers.haproxy.timeout",
          "provider 'haproxy': expected a duration");
    }
  }

  @Test
  @DisplayName("string lists: a list, a single string, or absent; elements must be scalars")
  void stringLists() {
    assertThat(config("a", List.of("x", 2, true)).getStringList("a"))
        .containsExactly("x", "2", "true");
    assertThat(config("a", "one").getStringList("a")).containsExactly("one");
    assertThat(config().getStringList("a")).isEmpty();
    refused(
        () -> config("a", Arrays.asList("x", null)).getStringList("a"),
        "$.providers.haproxy.a[1]",
        "expected a string, found null");
    refused(
        () -> config("a", List.of("x", Map.of())).getStringList("a"),
        "$.providers.haproxy.a[1]",
        "an object");
    refused(
        () -> config("a", Map.of("k", "v")).getStringList("a"),
        "$.providers.haproxy.a",
        "a list of strings");
  }

  @Test
  @DisplayName("nested configs carry their own path into every error")
  void nested() {
    ProviderConfig c = config("tls", Map.of("cert", "a.pem", "verify", "maybe"), "name", "x");

    ProviderConfig tls = c.getConfig("tls");
    assertThat(tls.path()).isEqualTo("$.providers.haproxy.tls");
    assertThat(tls.provider()).isEqualTo("haproxy");
    assertThat(tls.requireString("cert")).isEqualTo("a.pem");
    refused(
        () -> tls.getBoolean("verify", true),
        "$.providers.haproxy.tls.verify",
        "provider 'haproxy'");
    refused(() -> tls.requireString("key"), "$.providers.haproxy.tls.key", "requires 'key'");
    assertThat(c.getConfig("absent").keys()).isEmpty();
    assertThat(c.getConfig("absent").path()).isEqualTo("$.providers.haproxy.absent");
    refused(
        () -> c.getConfig("name"),
        "$.providers.haproxy.name",
        "expected an object, found a string of 1 character");
  }

  @Test
  @DisplayName("requireOnly lists every unknown key with the known ones")
  void requireOnly() {
    ProviderConfig c = config("socket", "/s", "sokcet", "/t", "timeuot", "5s");

    assertThat(config("socket", "/s").requireOnly(Set.of("socket", "timeout")).getString("socket"))
        .isEqualTo("/s");
    assertThatThrownBy(() -> c.requireOnly(Set.of("socket", "timeout")))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> {
              assertThat(e.violations())
                  .extracting(InvalidSpecException.Violation::path)
                  .containsExactly("$.providers.haproxy.sokcet", "$.providers.haproxy.timeuot");
              assertThat(e.getMessage())
                  .contains("provider 'haproxy' has no setting 'sokcet'")
                  .contains("use one of [socket, timeout]");
            });
  }

  @Test
  @DisplayName(
      "views: keys, presence, raw map, custom paths, and a toString that never shows values")
  void views() {
    Map<String, Object> raw = new HashMap<>();
    raw.put("password", "hunter2");
    raw.put("nothing", null);
    ProviderConfig c = ProviderConfigs.of("jdbc", "$.journal.jdbc", raw);
    raw.put("late", "x");

    assertThat(c.keys()).containsExactlyInAnyOrder("password", "nothing");
    assertThat(c.has("password")).isTrue();
    assertThat(c.has("nothing")).isFalse();
    assertThat(c.pathOf("password")).isEqualTo("$.journal.jdbc.password");
    assertThatThrownBy(() -> c.asMap().put("x", 1))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(c.toString()).contains("jdbc").contains("$.journal.jdbc").doesNotContain("hunter2");
    assertThat(ProviderConfigs.empty("fake").path()).isEqualTo("$.providers.fake");
    assertThat(ProviderConfigs.empty("fake").keys()).isEmpty();
  }

  @Test
  @DisplayName(
      "a wrong value is described by type and length, never quoted: it may be a credential")
  void neverQuotesValues() {
    String canary = "hunter2-canary-9b1c";
    ProviderConfig c =
        ProviderConfigs.of(
            "prometheus",
            Map.of(
                "timeout", canary,
                "maxAttempts", canary,
                "ratio", canary,
                "enabled", canary,
                "tls", canary,
                "hosts", List.of(Map.of("password", canary)),
                "url", Map.of("password", canary)));
    List<Executable> calls =
        List.of(
            () -> c.getDuration("timeout", Duration.ZERO),
            () -> c.requireDuration("timeout"),
            () -> c.getInt("maxAttempts", 1),
            () -> c.requireInt("maxAttempts"),
            () -> c.getLong("maxAttempts", 1),
            () -> c.getDouble("ratio", 1),
            () -> c.getBoolean("enabled", false),
            () -> c.getConfig("tls"),
            () -> c.getStringList("hosts"),
            () -> c.getString("url"),
            () -> c.requireOnly(Set.of("none")));
    for (Executable call : calls) {
      assertThatThrownBy(call::execute)
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageNotContaining(canary);
    }
    refused(
        () -> c.getInt("maxAttempts", 1),
        "$.providers.prometheus.maxAttempts",
        "found a string of " + canary.length() + " characters (value not shown)");
    assertThat(c.toString()).doesNotContain(canary);
  }
}
