// SPDX-License-Identifier: Apache-2.0
package io.cutover.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every benchmark runs to its end at a tiny size, the way {@code ./benchmarks/run NAME ARGS} runs
 * it (its {@code main} in a fresh JVM, from the project root), and prints a well-formed {@code
 * BENCH <name> <value> <unit>} line for every figure it promises: a benchmark whose own checks rot
 * fails here, not months later. Benchmarks that need external binaries are skipped with a notice
 * when they are missing, and fail under {@code CI=true}. The figures are not judged: at these sizes
 * they mean nothing. Three benchmarks run at a time: most of their wall time is spent waiting (JVM
 * starts, gate intervals, reloads), not computing. Their JVMs run with C1 only, which changes no
 * figure's meaning at these sizes.
 */
@DisplayName("Every benchmark runs to the end at a tiny size")
class BenchmarkSmokeTest {
  private static final Pattern BENCH = Pattern.compile("BENCH (\\S+) (\\S+) (\\S+)");
  private static final Path ROOT =
      Path.of(System.getProperty("cutover.project.root", "..")).toAbsolutePath().normalize();

  /**
   * A benchmark's tiny run: its {@code ./benchmarks/run} name, arguments, binaries and promised
   * figures.
   */
  private record Smoke(
      String name, List<String> args, List<String> binaries, List<String> figures) {}

  private static final List<Smoke> SMOKES =
      List.of(
          new Smoke(
              "artifact",
              List.of("5", "2", "2"),
              List.of("docker-registry", "umoci", "skopeo"),
              List.of(
                  "artifact.resolve_verify_p50",
                  "artifact.resolve_verify_p99",
                  "artifact.raw_http_p50",
                  "artifact.overhead_vs_raw_http",
                  "artifact.cached_verify_p50",
                  "artifact.cached_overhead_vs_raw_http",
                  "artifact.runs")),
          new Smoke(
              "crash",
              List.of("1", "3", "1", "1"),
              List.of(),
              List.of(
                  "crash.points",
                  "crash.correct",
                  "crash.duplicate_effects",
                  "crash.corrupt_journals",
                  "crash.reissued_effects",
                  "crash.runs",
                  "crash.baseline_runs",
                  "crash.baseline_correct",
                  "crash.baseline_seconds_per_run",
                  "crash.seconds_per_run_with_kills")),
          new Smoke(
              "engine",
              List.of("20", "20"),
              List.of(),
              List.of(
                  "engine.rollouts",
                  "engine.wall_per_sim_hour",
                  "engine.heap_peak",
                  "engine.speedup_vs_thread_per_rollout",
                  "engine.reaction_p99",
                  "engine.cpu_per_transition",
                  "engine.durable_wall_per_sim_hour",
                  "engine.durable_vs_memory",
                  "engine.durable_transitions_per_s",
                  "engine.durable_transitions_per_s_needed")),
          new Smoke(
              "footprint",
              List.of("3"),
              List.of(),
              List.of(
                  "core.runtime_jars_mb",
                  "core.runtime_jars",
                  "engine.build_ms",
                  "engine.build_ms_warm")),
          new Smoke(
              "fuzz",
              List.of("20"),
              List.of(),
              List.of(
                  "fuzz.seconds",
                  "fuzz.plan_json.inputs",
                  "fuzz.plan_json.unexpected",
                  "fuzz.plan_start.inputs",
                  "fuzz.plan_start.unexpected",
                  "fuzz.provider_config.inputs",
                  "fuzz.provider_config.unexpected",
                  "fuzz.policy_json.inputs",
                  "fuzz.policy_json.unexpected",
                  "fuzz.policy_yaml.inputs",
                  "fuzz.policy_yaml.unexpected",
                  "fuzz.tag_ref.inputs",
                  "fuzz.tag_ref.unexpected",
                  "fuzz.artifact_ref.inputs",
                  "fuzz.artifact_ref.unexpected",
                  "fuzz.digest.inputs",
                  "fuzz.digest.unexpected",
                  "fuzz.journal_frames.inputs",
                  "fuzz.journal_frames.unexpected",
                  "fuzz.oci_manifest.inputs",
                  "fuzz.oci_manifest.unexpected",
                  "fuzz.oci_config.inputs",
                  "fuzz.oci_config.unexpected",
                  "fuzz.prometheus_response.inputs",
                  "fuzz.prometheus_response.unexpected",
                  "fuzz.haproxy_reply.inputs",
                  "fuzz.haproxy_reply.unexpected",
                  "fuzz.web_response.inputs",
                  "fuzz.web_response.unexpected",
                  "fuzz.cosign_payload.inputs",
                  "fuzz.cosign_payload.unexpected",
                  "fuzz.cosign_manifest.inputs",
                  "fuzz.cosign_manifest.unexpected",
                  "fuzz.dsse_statement.inputs",
                  "fuzz.dsse_statement.unexpected",
                  "fuzz.dsse_envelope.inputs",
                  "fuzz.dsse_envelope.unexpected",
                  "fuzz.tar_archive.inputs",
                  "fuzz.tar_archive.unexpected")),
          new Smoke(
              "haproxy",
              List.of("1", "100", "5"),
              List.of("haproxy", "nginx"),
              List.of(
                  "haproxy.reaction_p99",
                  "haproxy.reaction_p50",
                  "haproxy.reaction_max",
                  "haproxy.reaction_warmup_trial",
                  "haproxy.rollback_apply_p99",
                  "haproxy.rollback_apply_p50",
                  "baseline.gate_interval",
                  "haproxy.requests",
                  "haproxy.failed_requests",
                  "nginx.dynamic_weights",
                  "nginx.requests",
                  "nginx.failed_requests",
                  "nginx.reloads",
                  "nginx_reload.requests",
                  "nginx_reload.failed_requests",
                  "router.weight_change_p50.in-process",
                  "router.weight_change_p50.haproxy",
                  "router.weight_change_p50.nginx",
                  "router.weight_change_p50.nginx-reload",
                  "baseline.haproxy_api_rtt_p50",
                  "baseline.haproxy_api_rtt_one_connection_per_call_p50",
                  "haproxy.trials",
                  "haproxy.warmup_trials")),
          new Smoke(
              "kubernetes",
              List.of("5", "2", "3"),
              List.of(),
              List.of(
                  "kubernetes.route_p50.gateway-api",
                  "kubernetes.route_p99.gateway-api",
                  "baseline.route_apply_p50.gateway-api",
                  "kubernetes.route_overhead.gateway-api",
                  "kubernetes.route_requests.gateway-api",
                  "kubernetes.route_p50.istio",
                  "kubernetes.route_p99.istio",
                  "baseline.route_apply_p50.istio",
                  "kubernetes.route_overhead.istio",
                  "kubernetes.route_requests.istio",
                  "kubernetes.route_p50.kubernetes-service",
                  "kubernetes.route_p99.kubernetes-service",
                  "baseline.route_apply_p50.kubernetes-service",
                  "kubernetes.route_overhead.kubernetes-service",
                  "kubernetes.route_requests.kubernetes-service",
                  "kubernetes.launch_ready_p50",
                  "kubernetes.launch_ready_p99",
                  "baseline.create_watch_ready_p50",
                  "baseline.create_watch_ready_p99",
                  "kubernetes.launch_overhead_p50",
                  "kubernetes.launch_overhead_p99")),
          new Smoke(
              "journal",
              List.of("50", "1000", "1", "5", "50"),
              List.of(),
              List.of(
                  "journal.fsync_baseline",
                  "journal.durable_appends",
                  "journal.durable_appends_blocking",
                  "journal.resume_10k",
                  "journal.resume_10k_thread_cpu",
                  "journal.resume_10k_after_history")),
          new Smoke(
              "postgres",
              List.of(
                  "kill_points=1",
                  "services=2",
                  "rollouts=2",
                  "lease_ttl_ms=1500",
                  "heartbeat_ms=300",
                  "max_kill_delay_ms=1000",
                  "writers=8",
                  "appends=40",
                  "command_trials=3"),
              List.of("postgres"),
              List.of(
                  "postgres.kill_points",
                  "postgres.takeovers",
                  "postgres.takeover_p50",
                  "postgres.takeover_p99",
                  "postgres.lease_ttl_ms",
                  "postgres.heartbeat_ms",
                  "postgres.duplicate_effects",
                  "postgres.reissued_effects",
                  "postgres.lost_rollouts",
                  "postgres.corrupt_journals",
                  "postgres.failed_runs",
                  "postgres.durable_appends",
                  "postgres.file_journal_durable_appends",
                  "postgres.vs_file_journal",
                  "postgres.command_latency_p50",
                  "postgres.command_latency_p99",
                  "postgres.command_trials")),
          new Smoke(
              "sizing",
              List.of("200"),
              List.of(),
              List.of(
                  "sizing.threshold_n60_p2.5_m96_c3_simulated",
                  "sizing.threshold_n60_p2.5_m96_c3_closed_form",
                  "sizing.threshold_n60_p2.5_m96_c3_abs_error_pp",
                  "sizing.threshold_n60_p2.5_m96_c3_false_abort_abs_error_pp",
                  "sizing.threshold_n60_p1.5_m99_c1_simulated",
                  "sizing.threshold_n60_p1.5_m99_c1_closed_form",
                  "sizing.threshold_n60_p1.5_m99_c1_abs_error_pp",
                  "sizing.threshold_n60_p1.5_m99_c1_false_abort_abs_error_pp",
                  "sizing.threshold_n300_p2_m97.5_c2_simulated",
                  "sizing.threshold_n300_p2_m97.5_c2_closed_form",
                  "sizing.threshold_n300_p2_m97.5_c2_abs_error_pp",
                  "sizing.threshold_n300_p2_m97.5_c2_false_abort_abs_error_pp",
                  "sizing.threshold_n600_p1.2_m98.75_c2_simulated",
                  "sizing.threshold_n600_p1.2_m98.75_c2_closed_form",
                  "sizing.threshold_n600_p1.2_m98.75_c2_abs_error_pp",
                  "sizing.threshold_n600_p1.2_m98.75_c2_false_abort_abs_error_pp",
                  "sizing.threshold_n3000_p1.2_m98.95_c1_simulated",
                  "sizing.threshold_n3000_p1.2_m98.95_c1_closed_form",
                  "sizing.threshold_n3000_p1.2_m98.95_c1_abs_error_pp",
                  "sizing.threshold_n3000_p1.2_m98.95_c1_false_abort_abs_error_pp",
                  "sizing.judge_latency20ms_simulated",
                  "sizing.judge_latency20ms_judge_own_power",
                  "sizing.judge_latency20ms_abs_error_pp",
                  "sizing.judge_latency20ms_noether_asymptotic_power",
                  "sizing.runs_per_second",
                  "sizing.closed_form_tolerance_pp",
                  "sizing.closed_form_within_tolerance")),
          new Smoke(
              "judge",
              List.of("1"),
              List.of(),
              List.of(
                  "judge.mannwhitney_20k",
                  "judge.commons_math_20k",
                  "judge.speedup_vs_commons_math",
                  "judge.max_rel_error_vs_scipy")));

  @Test
  @DisplayName("every *Benchmark class has a smoke run")
  void everyBenchmarkIsCovered() throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> files =
        Files.list(ROOT.resolve("benchmarks/src/main/java/io/cutover/benchmarks"))) {
      files
          .map(p -> p.getFileName().toString())
          .filter(f -> f.endsWith("Benchmark.java"))
          .map(f -> f.substring(0, f.length() - "Benchmark.java".length()).toLowerCase(Locale.ROOT))
          .forEach(names::add);
    }
    assertThat(names).isNotEmpty();
    assertThat(SMOKES).extracting(Smoke::name).containsExactlyInAnyOrderElementsOf(names);
  }

  @TestFactory
  @DisplayName("runs")
  Stream<DynamicTest> runs() {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    Map<Smoke, Future<Run>> runs = new LinkedHashMap<>();
    for (Smoke s : SMOKES) {
      runs.put(
          s,
          s.binaries().stream().allMatch(BenchmarkSmokeTest::installed)
              ? pool.submit(() -> start(s))
              : null);
    }
    pool.shutdown();
    return runs.entrySet().stream()
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.getKey().name() + " " + String.join(" ", e.getKey().args()),
                    () -> check(e.getKey(), e.getValue())));
  }

  /** What a benchmark's JVM left behind. */
  private record Run(boolean ended, int exitCode, String stdout, String stderr) {}

  private static void check(Smoke smoke, @Nullable Future<Run> future) throws Exception {
    for (String binary : smoke.binaries()) {
      requireBinary(binary);
    }
    Run run = Objects.requireNonNull(future, "a run for " + smoke.name()).get(5, TimeUnit.MINUTES);
    String out = run.stdout();
    String context =
        "./benchmarks/run "
            + smoke.name()
            + " "
            + String.join(" ", smoke.args())
            + "\n--- stdout\n"
            + out
            + "--- stderr (tail)\n"
            + tail(run.stderr(), 4_000);
    assertThat(run.ended()).as("ended within 3 minutes: %s", context).isTrue();
    assertThat(run.exitCode()).as("exit code of %s", context).isZero();

    Map<String, Double> figures = new LinkedHashMap<>();
    for (String line : out.split("\n")) {
      if (!line.startsWith("BENCH")) {
        continue;
      }
      Matcher m = BENCH.matcher(line.strip());
      assertThat(m.matches()).as("'%s' is 'BENCH <name> <value> <unit>'", line).isTrue();
      double value = parse(m.group(2));
      assertThat(Double.isFinite(value)).as("value of '%s'", line).isTrue();
      assertThat(figures.put(m.group(1), value)).as("'%s' printed once", m.group(1)).isNull();
    }
    assertThat(figures.keySet())
        .as("figures printed by %s", context)
        .containsExactlyInAnyOrderElementsOf(smoke.figures());
  }

  private static Run start(Smoke smoke) throws Exception {
    // What ./benchmarks/run does: the class named after the benchmark, its main in a fresh JVM,
    // from the root.
    String main =
        "io.cutover.benchmarks."
            + Character.toUpperCase(smoke.name().charAt(0))
            + smoke.name().substring(1)
            + "Benchmark";
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // C1 only: at these sizes a run is over before C2 pays for itself (measured: the
                // engine, HAProxy, Kubernetes and PostgreSQL runs together took 37 CPU-seconds
                // with C2 and 28 with C1 only). ./benchmarks/run keeps the JVM's defaults.
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                main));
    command.addAll(smoke.args());
    Path stdout = Files.createTempFile("bench-" + smoke.name(), ".out");
    Path stderr = Files.createTempFile("bench-" + smoke.name(), ".err");
    Process p =
        new ProcessBuilder(command)
            .directory(ROOT.toFile())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    p.getOutputStream().close();
    boolean ended = p.waitFor(3, TimeUnit.MINUTES);
    if (!ended) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    Run run =
        new Run(
            ended,
            ended ? p.exitValue() : -1,
            Files.readString(stdout, StandardCharsets.UTF_8),
            Files.readString(stderr, StandardCharsets.UTF_8));
    Files.deleteIfExists(stdout);
    Files.deleteIfExists(stderr);
    return run;
  }

  private static double parse(String value) {
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static String tail(String s, int max) {
    return s.length() <= max ? s : "..." + s.substring(s.length() - max);
  }

  private static boolean installed(String binary) {
    if (binary.equals("postgres") && postgresInstalled()) {
      return true; // Debian keeps its binaries off the PATH, where PostgresServer finds them
    }
    String path =
        System.getenv().getOrDefault("PATH", "")
            + File.pathSeparator
            + "/usr/sbin"
            + File.pathSeparator
            + "/usr/bin";
    return Stream.of(path.split(File.pathSeparator))
        .filter(d -> !d.isEmpty())
        .anyMatch(d -> Files.isExecutable(Path.of(d, binary)));
  }

  private static boolean postgresInstalled() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return false;
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions.anyMatch(v -> Files.isExecutable(v.resolve("bin/postgres")));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Skips with a notice naming the Debian package, or fails under {@code CI=true}, when a binary is
   * missing.
   */
  private static void requireBinary(String binary) {
    boolean present = installed(binary);
    String notice =
        binary
            + " is not installed (Debian package '"
            + (binary.equals("nginx")
                ? "nginx-light"
                : binary.equals("postgres") ? "postgresql" : binary)
            + "')";
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new AssertionError(notice + ": required because CI=true");
    }
    if (!present) {
      System.err.println("SKIPPED: " + notice);
    }
    assumeTrue(present, notice);
  }
}
