// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci;

import io.cutover.api.InvalidSpecException;
import io.cutover.spi.ArtifactStore;
import io.cutover.spi.ArtifactStoreProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Creates an {@link OciArtifactStore} from configuration; registered with {@link
 * java.util.ServiceLoader} under the name {@value OciArtifactStore#PROVIDER}.
 *
 * <p>Keys (all optional): {@code defaultRegistry}; {@code insecure} (list of hosts reached over
 * plain HTTP); {@code mirrors} (map from registry host to an ordered list of mirrors); {@code
 * platform} ({@code os/arch[/variant]}); {@code credentials} (map from host to {@code {username,
 * passwordEnv}}, where {@code passwordEnv} names the environment variable holding the password or
 * token, read each time it is needed, so no secret is ever written in configuration); {@code retry}
 * ({@code {maxAttempts, backoff}}); {@code timeout}; {@code cacheEntries}. Unknown keys are
 * refused.
 *
 * <p>Stateless and thread-safe; {@link #create} does no network I/O.
 */
public final class OciArtifactStoreProvider implements ArtifactStoreProvider {
  private static final Set<String> KEYS =
      Set.of(
          "defaultRegistry",
          "insecure",
          "mirrors",
          "platform",
          "credentials",
          "retry",
          "timeout",
          "cacheEntries");

  private final Function<String, String> environment;

  /** For {@link java.util.ServiceLoader}: reads passwords from the process environment. */
  public OciArtifactStoreProvider() {
    this(System::getenv);
  }

  /** With an explicit environment (for tests and for hosts with their own secret lookup). */
  public OciArtifactStoreProvider(Function<String, String> environment) {
    this.environment = environment;
  }

  @Override
  public String name() {
    return OciArtifactStore.PROVIDER;
  }

  @Override
  public ArtifactStore create(ProviderConfig config, ProviderContext context) {
    config.requireOnly(KEYS);
    OciArtifactStore.Builder b = OciArtifactStore.builder();
    if (config.has("defaultRegistry")) {
      b.defaultRegistry(config.requireString("defaultRegistry"));
    }
    b.insecure(config.getStringList("insecure").toArray(String[]::new));
    ProviderConfig mirrors = config.getConfig("mirrors");
    for (String registry : mirrors.keys()) {
      b.mirrors(registry, mirrors.getStringList(registry));
    }
    if (config.has("platform")) {
      b.platform(Platform.parse(config.requireString("platform")));
    }
    ProviderConfig creds = config.getConfig("credentials");
    if (!creds.keys().isEmpty()) {
      Map<String, String[]> byHost = new HashMap<>();
      for (String host : creds.keys()) {
        ProviderConfig c = creds.getConfig(host).requireOnly(Set.of("username", "passwordEnv"));
        byHost.put(
            host, new String[] {c.requireString("username"), c.requireString("passwordEnv")});
      }
      b.credentials(
          registry -> {
            String[] c = byHost.get(registry);
            if (c == null) {
              return null;
            }
            String password = environment.apply(c[1]);
            if (password == null || password.isEmpty()) {
              throw new InvalidSpecException(
                  creds.pathOf(registry) + ".passwordEnv",
                  "names the environment variable '" + c[1] + "', which is not set",
                  "export it before starting, or remove the credentials of " + registry);
            }
            return Credentials.of(c[0], password);
          });
    }
    ProviderConfig retry = config.getConfig("retry").requireOnly(Set.of("maxAttempts", "backoff"));
    if (!retry.keys().isEmpty()) {
      b.retry(retry.getInt("maxAttempts", 3), retry.getDuration("backoff", Duration.ofMillis(200)));
    }
    if (config.has("timeout")) {
      b.timeout(config.requireDuration("timeout"));
    }
    if (config.has("cacheEntries")) {
      b.cacheEntries(config.requireInt("cacheEntries"));
    }
    return b.build();
  }
}
