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
 * scheduler, so its content cache starts empty as for a never-seen artifact) and a fresh {@link
 * VerificationPolicy} (so its verified-digest cache is empty too; both built before the clock
 * starts, as a platform builds them once) resolve the tag and verify the signature: GET manifest by
 * tag, GET {@code sha256-<hex>.sig}, GET the payload blob, plus sha256 of every body, JSON parsing
 * and one ECDSA P-256 verification. One iteration of the baseline: the same three GETs with the
 * same client, bodies read and discarded. A third variant resolves the tag with a policy that
 * verified the digest before (its verified-digest cache answers; one GET).
 *
 * <p>The iterations are repeated in {@code runs} runs in this process (the first after the
 * warm-up); each run prints its figures, and the {@code BENCH} lines are the medians over the runs:
 * {@code artifact.resolve_verify_p50}, {@code artifact.resolve_verify_p99}, {@code
 * artifact.raw_http_p50}, {@code artifact.overhead_vs_raw_http} (ratio of the p50s, never-seen
 * artifact; target at most 1.25), {@code artifact.cached_verify_p50} and {@code
 * artifact.cached_overhead_vs_raw_http} (a digest verified before), {@code artifact.runs}.
 * Arguments: [iterations] [warmup] [runs] (default 1000, max(200, iterations / 5), 5).
 */
public final class ArtifactBenchmark {
  private ArtifactBenchmark() {}

  public static void main(String[] args) throws Exception {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : Math.max(200, iterations / 5);
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
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
      TrustedKey trusted = TrustedKey.of("bench", key.getPublic());
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
      // A platform's long-lived policy: it has verified this digest before (verified-digest cache).
      VerificationPolicy repeated = policy(trusted);
      repeated.verify(ref, store(http, scheduler, registry.host()));

      double[] ratios = new double[runs];
      double[] cachedRatios = new double[runs];
      double[] p50s = new double[runs];
      double[] p99s = new double[runs];
      double[] rawP50s = new double[runs];
      double[] cachedP50s = new double[runs];
      for (int run = 0; run < runs; run++) {
        long[] cutover = new long[iterations];
        long[] cached = new long[iterations];
        long[] baseline = new long[iterations];
        for (int i = run == 0 ? -warmup : 0; i < iterations; i++) {
          // Rotate which goes first so that none always runs on a warmer connection pool.
          long a = 0;
          long c = 0;
          long b = 0;
          for (int k = 0; k < 3; k++) {
            switch ((Math.floorMod(i, 3) + k) % 3) {
              case 0 -> a = timeCutover(http, scheduler, registry.host(), tag, policy(trusted));
              case 1 -> c = timeCutover(http, scheduler, registry.host(), tag, repeated);
              default -> b = timeRaw(http, raw);
            }
          }
          if (i >= 0) {
            cutover[i] = a;
            cached[i] = c;
            baseline[i] = b;
          }
        }
        Arrays.sort(cutover);
        Arrays.sort(cached);
        Arrays.sort(baseline);
        p50s[run] = cutover[iterations / 2] / 1e6;
        p99s[run] = cutover[(int) (iterations * 0.99)] / 1e6;
        rawP50s[run] = baseline[iterations / 2] / 1e6;
        cachedP50s[run] = cached[iterations / 2] / 1e6;
        ratios[run] = p50s[run] / rawP50s[run];
        cachedRatios[run] = cachedP50s[run] / rawP50s[run];
        System.out.printf(
            Locale.ROOT,
            "run %d of %d: resolve+verify p50 %.3f ms (p99 %.3f), raw HTTP p50 %.3f ms, ratio %.3f;"
                + " digest verified before (cache) p50 %.3f ms, ratio %.3f%n",
            run + 1,
            runs,
            p50s[run],
            p99s[run],
            rawP50s[run],
            ratios[run],
            cachedP50s[run],
            cachedRatios[run]);
      }
      System.out.println(line("artifact.resolve_verify_p50", median(p50s), "ms"));
      System.out.println(line("artifact.resolve_verify_p99", median(p99s), "ms"));
      System.out.println(line("artifact.raw_http_p50", median(rawP50s), "ms"));
      System.out.println(line("artifact.overhead_vs_raw_http", median(ratios), "x"));
      System.out.println(line("artifact.cached_verify_p50", median(cachedP50s), "ms"));
      System.out.println(line("artifact.cached_overhead_vs_raw_http", median(cachedRatios), "x"));
      System.out.println(line("artifact.runs", runs, "count"));
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

  /** A policy as a platform builds it once; a new one has an empty verified-digest cache. */
  private static VerificationPolicy policy(TrustedKey key) {
    return VerificationPolicy.builder().requireSignatures(SignatureRequirement.anyOf(key)).build();
  }

  private static OciArtifactStore store(
      OkHttpClient http, ScheduledExecutorService scheduler, String host) {
    return OciArtifactStore.builder().httpClient(http).scheduler(scheduler).insecure(host).build();
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static long timeCutover(
      OkHttpClient http,
      ScheduledExecutorService scheduler,
      String host,
      TagRef tag,
      VerificationPolicy policy) {
    // Built before the clock starts: a platform builds its store once, and what is compared with
    // the raw round trips is the work of resolving and verifying a never-seen artifact.
    OciArtifactStore store = store(http, scheduler, host);
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
