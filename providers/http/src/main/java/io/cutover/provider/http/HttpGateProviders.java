// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.http;

import io.cutover.api.InvalidSpecException;
import io.cutover.provider.support.SecretSource;
import io.cutover.spi.HealthGate;
import io.cutover.spi.HealthGateProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import java.time.Duration;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/** The {@link java.util.ServiceLoader} factories of this module's gates. */
public final class HttpGateProviders {
  private HttpGateProviders() {}

  /**
   * Provider {@code webhook}: keys {@code name}, {@code url} (required; {@code https://}, or {@code
   * http://} to a host in {@code insecureHosts}), {@code secretEnv} (the name of an environment
   * variable holding the HMAC key, at least 16 characters) or {@code secretFile} (a file holding
   * it, re-read for every request), {@code insecureHosts}, {@code timeout} (10s), {@code
   * maxAttempts} (3), {@code retryWait} (500ms). A literal {@code secret} is refused without
   * showing it.
   */
  public static final class Webhook implements HealthGateProvider {
    private final Function<String, @Nullable String> environment;

    /** For {@link java.util.ServiceLoader}: reads {@code secretEnv} from the process. */
    public Webhook() {
      this(System::getenv);
    }

    /** With an explicit environment (for tests and for hosts with their own secret lookup). */
    public Webhook(Function<String, @Nullable String> environment) {
      this.environment = environment;
    }

    @Override
    public String name() {
      return "webhook";
    }

    @Override
    public HealthGate create(ProviderConfig config, ProviderContext context) {
      config.requireOnly(
          Set.of(
              "name",
              "url",
              "secret",
              "secretEnv",
              "secretFile",
              "insecureHosts",
              "timeout",
              "maxAttempts",
              "retryWait"));
      SecretSource secret = SecretSource.fromConfig(config, "secret", environment);
      WebhookGate.Builder b =
          WebhookGate.builder(config.requireString("name"), config.requireString("url"))
              .urlPath(config.pathOf("url"))
              .insecureHosts(config.getStringList("insecureHosts"))
              .timeout(config.getDuration("timeout", Duration.ofSeconds(10)))
              .retries(
                  config.getInt("maxAttempts", 3),
                  config.getDuration("retryWait", Duration.ofMillis(500)));
      if (secret != null) {
        if (secret.reveal().length() < 16) {
          throw new InvalidSpecException(
              config.pathOf(config.has("secretEnv") ? "secretEnv" : "secretFile"),
              "names a secret (" + secret + ") shorter than 16 characters",
              "use a long random secret, e.g. openssl rand -hex 32");
        }
        b.secret(secret::reveal);
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
