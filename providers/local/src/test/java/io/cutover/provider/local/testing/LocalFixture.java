// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.testing;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Provenance;
import io.cutover.api.Release;
import io.cutover.provider.local.fleet.ConfigSource;
import io.cutover.provider.local.fleet.CrashPolicy;
import io.cutover.provider.local.fleet.LocalProcessFleet;
import io.cutover.provider.local.store.ArtifactMetadata;
import io.cutover.provider.local.store.FilesystemArtifactStore;
import io.cutover.samples.SampleArtifacts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The local provider's tests: a filesystem store holding sample-service versions, a local-process
 * fleet and a scheduler. The routers' tests use {@code io.cutover.testfixtures.LocalFixture} of
 * {@code cutover-test-fixtures}, which this module cannot use (it depends on this module).
 */
public final class LocalFixture implements AutoCloseable {
  public static final String SERVICE = "shop";

  public final FilesystemArtifactStore store;
  public final LocalProcessFleet fleet;
  public final ConfigSource.Registry configs = ConfigSource.registry();
  public final ScheduledExecutorService scheduler =
      Executors.newScheduledThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "test-scheduler");
            t.setDaemon(true);
            return t;
          });

  private LocalFixture(Path dir, CrashPolicy policy) {
    this.store = FilesystemArtifactStore.open(dir.resolve("store"));
    this.fleet =
        LocalProcessFleet.builder(dir.resolve("fleet"), store)
            .configs(configs)
            .scheduler(scheduler)
            .gracePeriod(Duration.ofSeconds(3))
            .readyTimeout(Duration.ofSeconds(30))
            .crashPolicy(policy, 2)
            .build();
  }

  /** A fixture under {@code dir}. */
  public static LocalFixture create(Path dir, CrashPolicy policy) {
    return new LocalFixture(dir, policy);
  }

  /**
   * A release of the sample service: version {@code version}, answering 500 to every n-th request.
   */
  public Release release(String version, int errorEvery) {
    return Release.of(SERVICE, put(store, version, errorEvery)).withLabel(version);
  }

  /**
   * Builds a version of the sample service and puts it into {@code store}, labelled for the fleet.
   */
  public static ArtifactRef put(FilesystemArtifactStore store, String version, int errorEvery) {
    return store.put(
        SampleArtifacts.REPOSITORY,
        SampleArtifacts.jar(version, errorEvery),
        new ArtifactMetadata(
            SampleArtifacts.JAR_MEDIA_TYPE,
            null,
            SampleArtifacts.labels(version),
            Provenance.NONE));
  }

  /** Stops every instance and the fleet's threads. */
  @Override
  public void close() {
    fleet.stopAll();
    fleet.close();
    scheduler.shutdownNow();
  }
}
