// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet;

import io.cutover.api.InvalidSpecException;
import io.cutover.provider.local.store.FilesystemArtifactStore;
import io.cutover.spi.Fleet;
import io.cutover.spi.FleetProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Creates a {@link LocalProcessFleet} from configuration ({@code $.providers.local-process}):
 * {@code workDir} (required), {@code store} (directory of the filesystem artifact store, required),
 * {@code secretsDir} (a {@link SecretResolver#directory} source), {@code readyTimeout} (default
 * 30s), {@code gracePeriod} (default 10s), {@code crashPolicy} ({@code report} or {@code replace}),
 * {@code maxRestarts} (default 3), {@code maxArtifactEntries} and {@code maxArtifactBytes} (the
 * {@link ArtifactLimits}, default {@link ArtifactLimits#DEFAULT}). Configuration values of releases
 * must be registered in code through {@link LocalProcessFleet.Builder#configs}; from configuration
 * only the empty configuration is known.
 */
public final class LocalProcessFleetProvider implements FleetProvider {
  private static final Set<String> KEYS =
      Set.of(
          "workDir",
          "store",
          "secretsDir",
          "readyTimeout",
          "gracePeriod",
          "crashPolicy",
          "maxRestarts",
          "maxArtifactEntries",
          "maxArtifactBytes");

  /** For {@link java.util.ServiceLoader}. */
  public LocalProcessFleetProvider() {}

  @Override
  public String name() {
    return LocalProcessFleet.PROVIDER;
  }

  @Override
  public Fleet create(ProviderConfig config, ProviderContext context) {
    config.requireOnly(KEYS);
    Path workDir = Path.of(config.requireString("workDir"));
    Path storeDir = Path.of(config.requireString("store"));
    String policy = config.getString("crashPolicy", "report");
    CrashPolicy crash =
        switch (policy) {
          case "report" -> CrashPolicy.REPORT;
          case "replace" -> CrashPolicy.REPLACE;
          default ->
              throw new InvalidSpecException(
                  config.pathOf("crashPolicy"), "is '" + policy + "'", "use 'report' or 'replace'");
        };
    LocalProcessFleet.Builder b =
        LocalProcessFleet.builder(workDir, FilesystemArtifactStore.open(storeDir))
            .readyTimeout(config.getDuration("readyTimeout", Duration.ofSeconds(30)))
            .gracePeriod(config.getDuration("gracePeriod", Duration.ofSeconds(10)))
            .crashPolicy(crash, config.getInt("maxRestarts", 3))
            .artifactLimits(
                new ArtifactLimits(
                    config.getInt("maxArtifactEntries", ArtifactLimits.DEFAULT.maxEntries()),
                    config.getLong("maxArtifactBytes", ArtifactLimits.DEFAULT.maxBytes())));
    String secretsDir = config.getString("secretsDir");
    if (secretsDir != null) {
      b.secrets(SecretResolver.directory(Path.of(secretsDir)));
    }
    return b.build();
  }
}
