// SPDX-License-Identifier: Apache-2.0
package io.cutover.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.core.ProviderConfigs;
import io.cutover.core.ProviderRegistry;
import io.cutover.spi.ArtifactStoreProvider;
import io.cutover.spi.FleetProvider;
import io.cutover.spi.HealthGateProvider;
import io.cutover.spi.JournalProvider;
import io.cutover.spi.MetricSourceProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderFactory;
import io.cutover.spi.RouterProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A credential written under the wrong key, or with the wrong type, is the common way a secret ends
 * up in an error message (issue 11, item 11). Every provider found on the class path is configured
 * with a canary value under each plausible key, as a string where a number or duration belongs and
 * as a list or map where a string belongs; whatever each factory answers, no message quotes it.
 */
@DisplayName("Secret canaries: configuration errors")
class ConfigErrorSecretCanaryTest {
  private final String secret = "cnry-config-" + UUID.randomUUID().toString().replace("-", "");
  @TempDir Path dir;

  /**
   * Keys the providers read (and some they don't), where a secret could land by mistake. Not the
   * keys naming files and directories: a path is printed on purpose, and nobody writes a secret as
   * one.
   */
  private static final List<String> KEYS =
      List.of(
          "url",
          "password",
          "passwordEnv",
          "passwordFile",
          "bearerToken",
          "bearerTokenEnv",
          "bearerTokenFile",
          "token",
          "secret",
          "secretEnv",
          "secretFile",
          "username",
          "timeout",
          "readyTimeout",
          "replicas",
          "port",
          "query",
          "threshold",
          "namespace",
          "registries",
          "credentials",
          "insecure",
          "headers",
          "apiKey");

  @Test
  @DisplayName("no provider quotes a secret value it refuses")
  void noProviderQuotesARefusedValue() {
    ProviderRegistry registry = ProviderRegistry.create().withDiscovery();
    Map<Class<? extends ProviderFactory<?>>, BiFunction<String, ProviderConfig, Object>> kinds =
        new LinkedHashMap<>();
    kinds.put(RouterProvider.class, registry::router);
    kinds.put(FleetProvider.class, registry::fleet);
    kinds.put(ArtifactStoreProvider.class, registry::artifactStore);
    kinds.put(HealthGateProvider.class, registry::healthGate);
    kinds.put(MetricSourceProvider.class, registry::metricSource);
    kinds.put(JournalProvider.class, registry::journal);
    LeakScanner scan = new LeakScanner(Set.of(secret));
    List<String> tried = new ArrayList<>();
    int refusals = 0;
    for (var kind : kinds.entrySet()) {
      for (String name : registry.names(kind.getKey())) {
        for (String key : KEYS) {
          for (Object value : List.of(secret, List.of(secret), Map.of("value", secret))) {
            Map<String, Object> values = new LinkedHashMap<>();
            values.put(key, value);
            // An existing directory where one is needed, so the factory gets as far as the key.
            values.putIfAbsent("directory", dir.toString());
            tried.add(name + "." + key);
            try {
              Object provider = kind.getValue().apply(name, ProviderConfigs.of(name, values));
              scan.reachable(name + " built with " + key, provider);
              if (provider instanceof AutoCloseable c) {
                c.close();
              }
            } catch (Exception | LinkageError e) {
              refusals++;
              scan.exception(
                  name + " refusing " + key + " = " + value.getClass().getSimpleName(), e);
            }
          }
        }
      }
    }
    assertThat(tried).as("providers found on the class path").hasSizeGreaterThan(KEYS.size() * 8);
    assertThat(refusals).isGreaterThan(100);
    assertThat(scan.findings()).isEmpty();
  }
}
