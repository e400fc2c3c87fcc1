// SPDX-License-Identifier: Apache-2.0
package io.cutover.benchmarks;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.TagRef;
import io.cutover.core.policy.SignatureRequirement;
import io.cutover.core.policy.TrustedKey;
import io.cutover.core.policy.VerificationPolicy;
import io.cutover.provider.oci.OciArtifactStore;
import io.cutover.testfixtures.CosignFixtures;
import io.cutover.testfixtures.RegistryServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Resolve + cosign signature verification against a private docker-registry on 127.0.0.1, compared
 * with the bare HTTP round trips that work needs, measured in the same run and interleaved so that
 * machine load hits both alike.
 *
 * <p>One iteration of Cutover: a fresh {@link OciArtifactStore} (sharing the HTTP client and
 * scheduler, so its digest cache starts empty as for a never-seen artifact; built before the clock
 * starts, as a platform builds its store once) resolves the tag and a {@link VerificationPolicy}
 * verifies the signature: GET manifest by tag, GET {@code sha256-<hex>.sig}, GET the payload blob,
 * plus sha256 of every body, JSON parsing and one ECDSA P-256 verification. One iteration of the
 * baseline: the same three GETs with the same client, bodies read and discarded.
 *
 * <p>Prints {@code BENCH artifact.resolve_verify_p50}, {@code artifact.raw_http_p50}, {@code
 * artifact.overhead_vs_raw_http} (ratio of the medians; target at most 1.5) and {@code
 * artifact.resolve_verify_p99}. Arguments: [iterations] [warmup] (default 1000, and warm-up
 * iterations max(200, iterations / 5)).
 */
public final class ArtifactBenchmark {
  private ArtifactBenchmark() {}

  public static void main(String[] args) throws Exception {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : Math.max(200, iterations / 5);
    Path dir = Files.createTempDirectory("cutover-artifact-bench");
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "bench-retry");
              t.setDaemon(true);
              return t;
            });
    try (RegistryServer registry = RegistryServer.start(dir.resolve("registry"))) {
      KeyPair key = CosignFixtures.newKey();
      String repo = registry.host() + "/bench/app";
      CosignFixtures.Attachment image =
          CosignFixtures.image(
              "benchmark layer".getBytes(StandardCharsets.UTF_8), "2026-01-01T00:00:00Z", Map.of());
      registry.push("bench/app", "1.0", image);
      ArtifactRef ref = new ArtifactRef(repo, image.digest());
      CosignFixtures.Attachment sig =
          CosignFixtures.signatures(CosignFixtures.signed(repo, ref.digest(), key));
      registry.push("bench/app", "sha256-" + ref.digest().hex() + ".sig", sig);
      String payload =
          sig.blobs().keySet().stream()
              .filter(d -> !d.equals(firstKey(sig)))
              .findFirst()
              .orElseThrow()
              .toString();

      OkHttpClient http = new OkHttpClient();
      VerificationPolicy policy =
          VerificationPolicy.builder()
              .requireSignatures(
                  SignatureRequirement.anyOf(TrustedKey.of("bench", key.getPublic())))
              .build();
      TagRef tag = new TagRef(repo, "1.0");
      String base = "http://" + registry.host() + "/v2/bench/app/";
      Request[] raw = {
        new Request.Builder().url(base + "manifests/1.0").header("Accept", ACCEPT).build(),
        new Request.Builder()
            .url(base + "manifests/sha256-" + ref.digest().hex() + ".sig")
            .header("Accept", ACCEPT)
            .build(),
        new Request.Builder().url(base + "blobs/" + payload).build()
      };

      long[] cutover = new long[iterations];
      long[] baseline = new long[iterations];
      for (int i = -warmup; i < iterations; i++) {
        // Alternate which goes first so neither always runs on a warmer connection pool.
        long a;
        long b;
        if ((i & 1) == 0) {
          a = timeCutover(http, scheduler, registry.host(), tag, policy);
          b = timeRaw(http, raw);
        } else {
          b = timeRaw(http, raw);
          a = timeCutover(http, scheduler, registry.host(), tag, policy);
        }
        if (i >= 0) {
          cutover[i] = a;
          baseline[i] = b;
        }
      }
      Arrays.sort(cutover);
      Arrays.sort(baseline);
      double p50 = cutover[iterations / 2] / 1e6;
      double rawP50 = baseline[iterations / 2] / 1e6;
      System.out.println(line("artifact.resolve_verify_p50", p50, "ms"));
      System.out.println(
          line("artifact.resolve_verify_p99", cutover[(int) (iterations * 0.99)] / 1e6, "ms"));
      System.out.println(line("artifact.raw_http_p50", rawP50, "ms"));
      System.out.println(line("artifact.overhead_vs_raw_http", p50 / rawP50, "x"));
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    } finally {
      scheduler.shutdownNow();
      deleteTree(dir);
    }
  }

  private static final String ACCEPT =
      "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
          + "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";

  private static long timeCutover(
      OkHttpClient http,
      ScheduledExecutorService scheduler,
      String host,
      TagRef tag,
      VerificationPolicy policy) {
    // Built before the clock starts: a platform builds its store once, and what is compared with
    // the raw round trips is the work of resolving and verifying a never-seen artifact.
    OciArtifactStore store =
        OciArtifactStore.builder().httpClient(http).scheduler(scheduler).insecure(host).build();
    long start = System.nanoTime();
    ArtifactRef resolved = store.resolve(tag);
    if (policy.verify(resolved, store).isEmpty()) {
      throw new IllegalStateException("verification returned no evidence");
    }
    return System.nanoTime() - start;
  }

  private static long timeRaw(OkHttpClient http, Request[] requests) throws IOException {
    long start = System.nanoTime();
    for (Request r : requests) {
      try (Response resp = http.newCall(r).execute()) {
        if (resp.code() != 200) {
          throw new IOException(r.url() + " answered " + resp.code());
        }
        resp.body().bytes();
      }
    }
    return System.nanoTime() - start;
  }

  private static Digest firstKey(CosignFixtures.Attachment a) {
    return a.blobs().keySet().iterator().next();
  }

  private static String line(String name, double value, String unit) {
    return String.format(Locale.ROOT, "BENCH %s %.3f %s", name, value, unit);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
