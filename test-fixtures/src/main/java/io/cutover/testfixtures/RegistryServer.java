// SPDX-License-Identifier: Apache-2.0
package io.cutover.testfixtures;

import io.cutover.api.Digest;
import io.cutover.samples.ExternalProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * A private {@code docker-registry} (distribution 2.8) on 127.0.0.1 with a free port and its own
 * storage directory, plus the tools to fill it: images built with {@code umoci} and pushed with
 * {@code skopeo}, and raw blobs and manifests pushed over the distribution API (for signatures,
 * attestations and indexes). Without the binaries the calling test is skipped with a notice naming
 * the Debian package, except when {@code CI=true}, where it fails ({@link Binaries}).
 */
public final class RegistryServer implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
  private static final OkHttpClient HTTP = new OkHttpClient();
  private static final ScheduledExecutorService POLLER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "registry-fixture");
            t.setDaemon(true);
            return t;
          });

  private final ExternalProcess process;
  private final Path dir;
  private final String host;

  private RegistryServer(ExternalProcess process, Path dir, String host) {
    this.process = process;
    this.dir = dir;
    this.host = host;
  }

  /** Skips (or, under CI, fails) unless every binary is installed. */
  public static void requireBinaries(String... binaries) {
    for (String b : binaries) {
      Binaries.require(b, b);
    }
  }

  /** Starts a registry storing under {@code dir}; skips (fails under CI) without the binaries. */
  public static RegistryServer start(Path dir) throws IOException, InterruptedException {
    requireBinaries("docker-registry", "umoci", "skopeo");
    Files.createDirectories(dir);
    Path cfg = dir.resolve("config.yml");
    Files.writeString(
        cfg,
        """
        version: 0.1
        log:
          level: info
        storage:
          filesystem:
            rootdirectory: %s
          delete:
            enabled: true
        http:
          addr: 127.0.0.1:0
        """
            .formatted(dir.resolve("data")));
    Path log = dir.resolve("registry.log");
    ExternalProcess p =
        ExternalProcess.start(
            List.of(
                ExternalProcess.find("docker-registry").orElseThrow().toString(),
                "serve",
                cfg.toString()),
            log);
    // Port 0: the log names the port it bound; ready once /v2/ answers there.
    String[] host = new String[1];
    p.awaitReady(
        "it logs its port and answers GET /v2/",
        Duration.ofSeconds(10),
        () -> {
          if (host[0] == null) {
            Matcher m = LISTENING.matcher(Files.readString(log));
            if (!m.find()) {
              return false;
            }
            host[0] = "127.0.0.1:" + m.group(1);
          }
          try (Response r =
              HTTP.newCall(new Request.Builder().url("http://" + host[0] + "/v2/").build())
                  .execute()) {
            return r.code() == 200;
          }
        },
        POLLER,
        InstantSource.system());
    return new RegistryServer(p, dir, host[0]);
  }

  public String host() {
    return host;
  }

  /** The blob file the registry stores for a digest (manifests are stored as blobs too). */
  public Path blobFile(Digest d) {
    return dir.resolve("data/docker/registry/v2/blobs/sha256")
        .resolve(d.hex().substring(0, 2))
        .resolve(d.hex())
        .resolve("data");
  }

  /** Builds a one-file image with umoci and pushes it with skopeo to {@code repo:tag}. */
  public void pushImage(
      Path work,
      String repo,
      String tag,
      String fileContent,
      String created,
      Map<String, String> labels)
      throws IOException, InterruptedException {
    Path layout = Files.createTempDirectory(work, "layout");
    Files.delete(layout);
    Path file = Files.writeString(Files.createTempFile(work, "f", ".txt"), fileContent);
    run(work, "umoci", "init", "--layout", layout.toString());
    run(work, "umoci", "new", "--image", layout + ":app");
    List<String> config =
        new ArrayList<>(
            List.of("umoci", "config", "--image", layout + ":app", "--created", created));
    labels.forEach((k, v) -> config.addAll(List.of("--config.label", k + "=" + v)));
    run(work, config.toArray(String[]::new));
    run(work, "umoci", "insert", "--rootless", "--image", layout + ":app", file.toString(), "/f");
    run(work, "umoci", "gc", "--layout", layout.toString());
    copy(work, "oci:" + layout + ":app", "docker://" + host + "/" + repo + ":" + tag);
  }

  /** Copies an image between registries (or layouts) with skopeo, plain HTTP on both sides. */
  public static void copy(Path work, String from, String to)
      throws IOException, InterruptedException {
    run(
        work,
        "skopeo",
        "copy",
        "--quiet",
        "--src-tls-verify=false",
        "--dest-tls-verify=false",
        from,
        to);
  }

  /**
   * Pushes a manifest and its blobs over the distribution API; {@code reference} is a tag or a
   * digest.
   */
  public void push(String repo, String reference, CosignFixtures.Attachment a) throws IOException {
    for (Map.Entry<Digest, byte[]> blob : a.blobs().entrySet()) {
      pushBlob(repo, blob.getKey(), blob.getValue());
    }
    putManifest(repo, reference, a.manifest(), "application/vnd.oci.image.manifest.v1+json");
  }

  public void pushBlob(String repo, Digest digest, byte[] bytes) throws IOException {
    String location;
    try (Response r =
        HTTP.newCall(
                new Request.Builder()
                    .url("http://" + host + "/v2/" + repo + "/blobs/uploads/")
                    .post(RequestBody.create(new byte[0]))
                    .build())
            .execute()) {
      expect(r, 202);
      location = r.header("Location");
    }
    String url =
        (location.startsWith("http") ? location : "http://" + host + location)
            + (location.contains("?") ? "&" : "?")
            + "digest="
            + digest;
    try (Response r =
        HTTP.newCall(
                new Request.Builder()
                    .url(url)
                    .put(RequestBody.create(bytes, MediaType.get("application/octet-stream")))
                    .build())
            .execute()) {
      expect(r, 201);
    }
  }

  public void putManifest(String repo, String reference, byte[] manifest, String mediaType)
      throws IOException {
    try (Response r =
        HTTP.newCall(
                new Request.Builder()
                    .url("http://" + host + "/v2/" + repo + "/manifests/" + reference)
                    .put(RequestBody.create(manifest, MediaType.get(mediaType)))
                    .build())
            .execute()) {
      expect(r, 201);
    }
  }

  private static void expect(Response r, int code) throws IOException {
    if (r.code() != code) {
      throw new IOException(
          r.request().method()
              + " "
              + r.request().url()
              + " answered "
              + r.code()
              + ": "
              + r.body().string());
    }
  }

  private static void run(Path work, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(
          String.join(" ", cmd) + " failed: " + new String(out, StandardCharsets.UTF_8));
    }
  }

  /** Stops the registry (by its process) and waits for it to exit. */
  @Override
  public void close() {
    process.close();
  }
}
