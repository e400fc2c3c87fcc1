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
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Shared by the integration tests of the local, HAProxy and NGINX providers (published as this
 * module's test jar): a filesystem store holding sample-service versions, a local-process fleet, a
 * scheduler, and the rule for missing binaries (skip with a notice, fail under {@code CI=true}).
 */
public final class LocalFixture implements AutoCloseable {
  public static final String SERVICE = "shop";

  public final FilesystemArtifactStore store;
  public final LocalProcessFleet fleet;
  public final ConfigSource.Registry configs = ConfigSource.registry();
  public final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "test-scheduler");
    t.setDaemon(true);
    return t;
  });

  private LocalFixture(Path dir, CrashPolicy policy) {
    this.store = FilesystemArtifactStore.open(dir.resolve("store"));
    this.fleet = LocalProcessFleet.builder(dir.resolve("fleet"), store).configs(configs).scheduler(scheduler)
        .gracePeriod(Duration.ofSeconds(3)).readyTimeout(Duration.ofSeconds(30)).crashPolicy(policy, 2).build();
  }

  /** A fixture under {@code dir}. */
  public static LocalFixture create(Path dir, CrashPolicy policy) {
    return new LocalFixture(dir, policy);
  }

  /** A release of the sample service: version {@code version}, answering 500 to every n-th request. */
  public Release release(String version, int errorEvery) {
    return Release.of(SERVICE, put(store, version, errorEvery)).withLabel(version);
  }

  /** Builds a version of the sample service and puts it into {@code store}, labelled for the fleet. */
  public static ArtifactRef put(FilesystemArtifactStore store, String version, int errorEvery) {
    return store.put(SampleArtifacts.REPOSITORY, SampleArtifacts.jar(version, errorEvery),
        new ArtifactMetadata(SampleArtifacts.JAR_MEDIA_TYPE, null, SampleArtifacts.labels(version), Provenance.NONE));
  }

  /** Stops every instance and the fleet's threads. */
  @Override
  public void close() {
    fleet.stopAll();
    fleet.close();
    scheduler.shutdownNow();
  }

  /** Closes each non-null resource in order, so a failed start still releases what did start. */
  public static void closeAll(AutoCloseable... resources) {
    for (AutoCloseable r : resources) {
      if (r != null) {
        try {
          r.close();
        } catch (Exception e) {
          System.err.println("close failed: " + e);
        }
      }
    }
  }

  /**
   * Sends {@code n} sequential GETs to {@code url}, asserting each answers 200, and counts the answers
   * per {@code X-Release}.
   */
  public static Map<String, Integer> countReleases(OkHttpClient client, String url, int n) throws IOException {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      try (Response r = client.newCall(new Request.Builder().url(url).build()).execute()) {
        Assertions.assertEquals(200, r.code(), "status of request " + i + " to " + url);
        counts.merge(r.header("X-Release"), 1, Integer::sum);
      }
    }
    return counts;
  }

  /** A free TCP port on 127.0.0.1. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Skips the test class with a one-line notice when {@code binary} is missing, or fails it when the
   * environment variable {@code CI} is {@code true} (CI installs every package).
   */
  public static Path requireBinary(Optional<Path> binary, String name, String debianPackage) {
    if (binary.isPresent()) {
      return binary.get();
    }
    String notice = name + " is not installed: install the Debian package '" + debianPackage
        + "' (apt-get install -y " + debianPackage + ")";
    if ("true".equals(System.getenv("CI"))) {
      Assertions.fail(notice + " -- required because CI=true");
    }
    System.err.println("SKIPPED: " + notice);
    Assumptions.abort(notice);
    throw new AssertionError("unreachable");
  }
}
