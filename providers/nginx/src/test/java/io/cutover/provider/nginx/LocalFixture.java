// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.nginx;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Provenance;
import io.cutover.api.Release;
import io.cutover.provider.local.fleet.ConfigSource;
import io.cutover.provider.local.fleet.CrashPolicy;
import io.cutover.provider.local.fleet.LocalProcessFleet;
import io.cutover.provider.local.store.ArtifactMetadata;
import io.cutover.provider.local.store.FilesystemArtifactStore;
import io.cutover.samples.SampleArtifacts;
import io.cutover.testfixtures.Binaries;
import io.cutover.testfixtures.Fixtures;
import io.cutover.testfixtures.NginxProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import okhttp3.OkHttpClient;

/**
 * Real instances behind the router under test: a filesystem store holding sample-service versions,
 * a local-process fleet and a scheduler, plus the shared helpers of {@code cutover-test-fixtures}.
 * (That module cannot hold this part: it would depend on the local provider, whose tests depend on
 * core, whose tests use the fixtures, a cycle Maven refuses.)
 */
final class LocalFixture implements AutoCloseable {
  static final String SERVICE = "shop";

  final FilesystemArtifactStore store;
  final LocalProcessFleet fleet;
  final ConfigSource.Registry configs = ConfigSource.registry();
  final ScheduledExecutorService scheduler =
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
  static LocalFixture create(Path dir, CrashPolicy policy) {
    return new LocalFixture(dir, policy);
  }

  /**
   * A release of the sample service: version {@code version}, answering 500 to every n-th request.
   */
  Release release(String version, int errorEvery) {
    ArtifactRef ref =
        store.put(
            SampleArtifacts.REPOSITORY,
            SampleArtifacts.jar(version, errorEvery),
            new ArtifactMetadata(
                SampleArtifacts.JAR_MEDIA_TYPE,
                null,
                SampleArtifacts.labels(version),
                Provenance.NONE));
    return Release.of(SERVICE, ref).withLabel(version);
  }

  /** Stops every instance and the fleet's threads. */
  @Override
  public void close() {
    fleet.stopAll();
    fleet.close();
    scheduler.shutdownNow();
  }

  /** A private NGINX wired to this module's router naming and first upstream files. */
  static NginxProcess startNginx(
      Path dir,
      Map<String, Integer> frontends,
      int statusPort,
      ScheduledExecutorService scheduler,
      InstantSource clock) {
    return NginxProcess.start(
        dir,
        frontends,
        statusPort,
        new NginxProcess.Upstreams(NginxRouter::upstream, NginxRouter::initialUpstream),
        scheduler,
        clock);
  }

  /**
   * A private NGINX that loads the Lua module, so the router changes weights without reloads;
   * skipped with a notice (failed under CI=true) where libnginx-mod-http-lua is missing.
   */
  static NginxProcess startLuaNginx(
      Path dir,
      Map<String, Integer> frontends,
      int statusPort,
      ScheduledExecutorService scheduler,
      InstantSource clock) {
    requireBinary(
        NginxProcess.luaModules().map(m -> m.get(1)),
        "ngx_http_lua_module.so",
        "libnginx-mod-http-lua");
    return NginxProcess.start(
        dir,
        frontends,
        statusPort,
        new NginxProcess.Upstreams(NginxRouter::upstream, NginxRouter::initialUpstream),
        scheduler,
        clock,
        true);
  }

  /** A router builder for a private NGINX. */
  static NginxRouter.Builder router(NginxProcess nginx) {
    return NginxRouter.builder(
        nginx.configFile(), nginx.prefix(), nginx.upstreamDir(), nginx.statusPort());
  }

  static void closeAll(AutoCloseable... resources) {
    Fixtures.closeAll(resources);
  }

  static Map<String, Integer> countReleases(OkHttpClient client, String url, int n)
      throws IOException {
    return Fixtures.countReleases(client, url, n);
  }

  static int freePort() {
    return Fixtures.freePort();
  }

  static Path requireBinary(Optional<Path> binary, String name, String debianPackage) {
    return Binaries.require(binary, name, debianPackage);
  }
}
