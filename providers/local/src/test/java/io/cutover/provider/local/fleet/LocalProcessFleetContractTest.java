// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Release;
import io.cutover.provider.local.store.ArtifactMetadata;
import io.cutover.provider.local.store.FilesystemArtifactStore;
import io.cutover.provider.local.testing.LocalFixture;
import io.cutover.samples.SampleArtifacts;
import io.cutover.spi.Fleet;
import io.cutover.testkit.contract.FleetContract;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local-process fleet passes the testkit's fleet contract with real sample-service processes.
 */
class LocalProcessFleetContractTest extends FleetContract {
  @TempDir static Path dir;
  static FilesystemArtifactStore store;
  static LocalProcessFleet fleet;

  @BeforeAll
  static void open() {
    store = FilesystemArtifactStore.open(dir.resolve("store"));
    fleet =
        LocalProcessFleet.builder(dir.resolve("fleet"), store)
            .gracePeriod(Duration.ofSeconds(3))
            .build();
  }

  @AfterAll
  static void close() {
    fleet.stopAll();
    fleet.close();
  }

  @Override
  protected Fleet createFleet() {
    return fleet;
  }

  @Override
  protected Release release(String service, String label) {
    if (label.equals("broken")) {
      // A jar without a Main-Class: java exits at once, so the instance never becomes ready.
      ArtifactRef ref =
          store.put(
              SampleArtifacts.REPOSITORY,
              new byte[] {'P', 'K', 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
              ArtifactMetadata.of(SampleArtifacts.JAR_MEDIA_TYPE)
                  .withLabel(LaunchSpec.LABEL_KIND, "jar"));
      return Release.of(service, ref);
    }
    return Release.of(service, LocalFixture.put(store, label, 0));
  }

  @Override
  protected boolean arrangeLaunchFailure(Fleet fleet, Release release) {
    return release.artifact().equals(release(release.service(), "broken").artifact());
  }
}
