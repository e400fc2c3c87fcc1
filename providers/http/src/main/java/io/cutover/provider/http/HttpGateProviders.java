// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.http;

import io.cutover.api.InvalidSpecException;
import io.cutover.spi.HealthGate;
import io.cutover.spi.HealthGateProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The {@link java.util.ServiceLoader} factories of this module's gates. */
public final class HttpGateProviders {
  private HttpGateProviders() {}

  /**
   * Provider {@code webhook}: keys {@code name}, {@code url} (required), {@code secret} (HMAC key,
   * at least 16 characters), {@code timeout} (10s), {@code maxAttempts} (3), {@code retryWait}
   * (500ms).
   */
  public static final class Webhook implements HealthGateProvider {
    /** Creates the factory; no I/O. */
    public Webhook() {}

    @Override
    public String name() {
      return "webhook";
    }

    @Override
    public HealthGate create(ProviderConfig config, ProviderContext context) {
      config.requireOnly(Set.of("name", "url", "secret", "timeout", "maxAttempts", "retryWait"));
      WebhookGate.Builder b =
          WebhookGate.builder(config.requireString("name"), config.requireString("url"))
              .timeout(config.getDuration("timeout", Duration.ofSeconds(10)))
              .retries(
                  config.getInt("maxAttempts", 3),
                  config.getDuration("retryWait", Duration.ofMillis(500)));
      String secret = config.getString("secret");
      if (secret != null) {
        b.secret(secret);
      }
      return b.build();
    }
  }

  /**
   * Provider {@code http-probe}: keys {@code name}, {@code path} (default {@code /ready}), {@code
   * expectStatus} (200), {@code bodyMatches} (a regular expression), {@code timeout} (2s).
   */
  public static final class Probe implements HealthGateProvider {
    /** Creates the factory; no I/O. */
    public Probe() {}

    @Override
    public String name() {
      return "http-probe";
    }

    @Override
    public HealthGate create(ProviderConfig config, ProviderContext context) {
      config.requireOnly(Set.of("name", "path", "expectStatus", "bodyMatches", "timeout"));
      String regex = config.getString("bodyMatches");
      if (regex != null) {
        try {
          Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
          throw new InvalidSpecException(
              config.pathOf("bodyMatches"),
              "is not a valid regular expression: " + e.getDescription(),
              "fix the expression");
        }
      }
      return HttpProbeGate.of(
          config.requireString("name"),
          config.getString("path", "/ready"),
          config.getInt("expectStatus", 200),
          regex,
          config.getDuration("timeout", Duration.ofSeconds(2)));
    }
  }
}
