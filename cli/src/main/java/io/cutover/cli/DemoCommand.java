// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.Provenance;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.api.rollout.RolloutState;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.cli.internal.demo.DemoReport;
import io.cutover.cli.internal.report.Timeline;
import io.cutover.core.Cutover;
import io.cutover.core.Rollout;
import io.cutover.core.gate.NoDataPolicy;
import io.cutover.core.gate.QueryDialect;
import io.cutover.core.gate.ThresholdGate;
import io.cutover.core.metrics.InProcessMetricSource;
import io.cutover.core.metrics.InProcessMetrics;
import io.cutover.core.strategy.BlueGreenStrategy;
import io.cutover.core.strategy.CanaryStrategy;
import io.cutover.provider.haproxy.HaproxyRouter;
import io.cutover.provider.local.fleet.ConfigSource;
import io.cutover.provider.local.fleet.CrashPolicy;
import io.cutover.provider.local.fleet.FleetHealthGate;
import io.cutover.provider.local.fleet.LocalProcessFleet;
import io.cutover.provider.local.fleet.SecretResolver;
import io.cutover.provider.local.router.InProcessRouter;
import io.cutover.provider.local.store.ArtifactMetadata;
import io.cutover.provider.local.store.FilesystemArtifactStore;
import io.cutover.samples.HaproxyProcess;
import io.cutover.samples.SampleArtifacts;
import io.cutover.samples.TrafficGenerator;
import io.cutover.spi.RolloutStrategy;
import io.cutover.spi.Router;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The real thing on one machine: three versions of a sample HTTP service built as immutable
 * artifacts, real processes, real HTTP traffic, real gates over the measured error rates. v1 is
 * deployed, v2 is canaried to completion, v3 (5 % errors) fails its gate and traffic returns to v2
 * automatically.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Run real rollouts of a sample service on this machine: real processes, real traffic, "
            + "a bad release rolled back automatically. Needs only a JDK 17+ (and haproxy for --router haproxy).")
final class DemoCommand implements Callable<Integer> {
  static final String SERVICE = "shop";

  @Option(
      names = "--router",
      defaultValue = "in-process",
      description =
          "in-process (an OkHttp interceptor in this JVM) or haproxy (a private HAProxy driven through "
              + "its runtime API). Default ${DEFAULT-VALUE}.")
  String router = "in-process";

  @Option(
      names = "--work-dir",
      description = "Where the artifact store, instances and logs go (default: a new temp dir).")
  @Nullable Path workDir;

  @Option(
      names = "--report",
      defaultValue = "cutover-demo-report.html",
      description = "HTML report (default ${DEFAULT-VALUE}).")
  Path report = Path.of("cutover-demo-report.html");

  @Option(
      names = "--rate",
      defaultValue = "300",
      description = "Requests per second of demo traffic (default ${DEFAULT-VALUE}).")
  int rate;

  @Option(
      names = "--replicas",
      defaultValue = "2",
      description = "Instances per release (default ${DEFAULT-VALUE}).")
  int replicas;

  @Option(
      names = "--step-seconds",
      defaultValue = "2",
      description = "Seconds between canary measurements (default ${DEFAULT-VALUE}).")
  int stepSeconds;

  @Option(
      names = "--secrets-dir",
      description =
          "Directory of secret files, one per name, as mounted by Docker or Kubernetes; the demo's"
              + " configuration reads ${secret:demo-api-key} from it (default: a random key made"
              + " for this run).")
  @Nullable Path secretsDir;

  @Spec @Nullable CommandSpec spec;

  private final PrintStream out;
  private final PrintStream err;
  private final InstantSource clock = InstantSource.system();

  DemoCommand() {
    this(System.out, System.err);
  }

  DemoCommand(PrintStream out) {
    this(out, System.err);
  }

  DemoCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Refuses bad options before anything is built (one line, exit code 2). */
  private void validate() {
    CommandLine cl = Objects.requireNonNull(spec, "picocli injects the spec").commandLine();
    if (!router.equals("in-process") && !router.equals("haproxy")) {
      throw new ParameterException(
          cl, "--router is '" + router + "' (fix: use in-process or haproxy)");
    }
    if (rate < 1) {
      throw new ParameterException(
          cl, "--rate is " + rate + " (fix: give 1 or more requests per second, e.g. --rate 300)");
    }
    if (replicas < 1) {
      throw new ParameterException(
          cl, "--replicas is " + replicas + " (fix: run at least 1 instance per release)");
    }
    if (stepSeconds < 1) {
      throw new ParameterException(
          cl, "--step-seconds is " + stepSeconds + " (fix: use 1 or more seconds)");
    }
    if (secretsDir != null && !Files.isDirectory(secretsDir)) {
      throw new ParameterException(
          cl,
          "--secrets-dir "
              + secretsDir
              + " is not a directory (fix: give a directory of secret files)");
    }
  }

  @Override
  public Integer call() throws Exception {
    validate();
    if (router.equals("haproxy") && HaproxyProcess.binary().isEmpty()) {
      err.println(
          "cutover demo: --router haproxy needs haproxy: install the Debian package 'haproxy' (apt-get install -y haproxy),"
              + " or run the demo with the default in-process router");
      return 2;
    }
    Path dir =
        workDir != null
            ? Files.createDirectories(workDir)
            : Files.createTempDirectory("cutover-demo");
    ScheduledExecutorService scheduler =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "cutover-demo");
              t.setDaemon(true);
              return t;
            });
    Instant begin = clock.instant();
    out.println(
        "Cutover demo: real processes, real HTTP traffic, real gates. Work directory: " + dir);

    FilesystemArtifactStore store = FilesystemArtifactStore.open(dir.resolve("store"));
    // The configuration holds a reference, never the value: the fleet resolves it into each
    // instance's environment at launch, and it appears in no journal, record, log or report.
    ConfigSource.Registry configs = ConfigSource.registry();
    ConfigRef config =
        configs.register(Map.of("GREETING", "hello", "API_KEY", "${secret:demo-api-key}"));
    SecretResolver secrets =
        secretsDir != null
            ? SecretResolver.directory(secretsDir)
            : SecretResolver.of(Map.of("demo-api-key", randomKey()));
    Release v1 = Release.of(SERVICE, put(store, "v1", 0), config).withLabel("v1");
    Release v2 = Release.of(SERVICE, put(store, "v2", 0), config).withLabel("v2");
    Release v3 = Release.of(SERVICE, put(store, "v3", 20), config).withLabel("v3");
    Map<String, String> labels = new LinkedHashMap<>();
    for (Release r : List.of(v1, v2, v3)) {
      labels.put(r.id(), r.label());
      out.printf(
          "  built %s as %s%s%n", r.label(), r.artifact(), r == v3 ? "  (answers 5 % errors)" : "");
    }

    LocalProcessFleet fleet =
        LocalProcessFleet.builder(dir.resolve("fleet"), store)
            .configs(configs)
            .secrets(secrets)
            .scheduler(scheduler)
            .gracePeriod(Duration.ofSeconds(5))
            .crashPolicy(CrashPolicy.REPORT, 0)
            .build();
    InProcessMetrics metrics = InProcessMetrics.create(clock, Duration.ofMinutes(30));
    Timeline timeline = new Timeline(clock, labels);
    List<RolloutEvent> events = new CopyOnWriteArrayList<>();
    HaproxyProcess haproxy = null;
    Router routing;
    String url;
    OkHttpClient base = new OkHttpClient();
    if (router.equals("haproxy")) {
      haproxy =
          HaproxyProcess.start(
              dir.resolve("haproxy"), Map.of(SERVICE, freePort()), scheduler, clock);
      routing = HaproxyRouter.builder(haproxy.socket()).build();
      url = "http://127.0.0.1:" + haproxy.port(SERVICE) + "/";
      out.println(
          "  HAProxy pid " + haproxy.pid() + " on " + url + ", runtime API at " + haproxy.socket());
    } else {
      InProcessRouter inProcess = InProcessRouter.create();
      routing = inProcess;
      base = inProcess.client(base);
      url = "http://" + SERVICE + "/";
      out.println("  in-process router: calls to " + url + " are routed inside this JVM");
    }
    ThresholdGate successRate =
        ThresholdGate.successRate(
                "success-rate", InProcessMetricSource.of(metrics), QueryDialect.IN_PROCESS, 0.99)
            .onNoData(NoDataPolicy.INCONCLUSIVE)
            .build();
    Cutover cutover =
        Cutover.builder()
            .fleet(fleet)
            .router(routing)
            .artifactStore(store)
            .clock(clock)
            .gate(successRate)
            .gate(new FleetHealthGate("instances", fleet))
            .listener(
                e -> {
                  events.add(e);
                  timeline.event(e);
                  printEvent(e, labels);
                })
            .build();
    TrafficGenerator traffic =
        TrafficGenerator.builder(url, scheduler, clock)
            .client(base)
            .rate(rate)
            .newConnectionShare(0.05)
            .listener(
                (release, status, sent, latency) -> {
                  if (release != null) {
                    metrics
                        .counter("http_requests_total")
                        .add(1, "release", release, "code", Integer.toString(status));
                  }
                  timeline.record(release, status);
                })
            .build();
    ScheduledFuture<?> progress = null;
    Map<String, RolloutStatus> outcomes = new LinkedHashMap<>();
    try {
      out.println();
      out.println("1/3 deploy v1 (" + replicas + " instances)");
      outcomes.put(
          "v1",
          run(cutover, BlueGreenStrategy.builder().scaleDownDelay(Duration.ZERO).build(), v1));
      traffic.start();
      progress =
          scheduler.scheduleAtFixedRate(
              () -> printProgress(timeline, cutover, routing), 1, 1, TimeUnit.SECONDS);
      scheduler.scheduleAtFixedRate(
          () -> timeline.sample(routing.current(SERVICE).orElse(null)),
          0,
          250,
          TimeUnit.MILLISECONDS);
      out.println("    traffic: " + rate + " requests/s to " + url);
      out.println();
      out.println(
          "2/3 canary v2: 10 % -> 30 % -> 60 % -> 100 %, gate: success rate >= 99 % per "
              + stepSeconds
              + " s window");
      outcomes.put("v2", run(cutover, canary(), v2));
      out.println();
      out.println("3/3 canary v3 (bad: 5 % errors), same strategy and gate");
      outcomes.put("v3", run(cutover, canary(), v3));
      TimeUnit.SECONDS.sleep(2);
    } finally {
      traffic.stop();
      if (progress != null) {
        progress.cancel(false);
      }
      for (int i = 0; i < 100 && traffic.inFlight() > 0; i++) {
        TimeUnit.MILLISECONDS.sleep(20);
      }
      timeline.sample(routing.current(SERVICE).orElse(null));
      fleet.stopAll();
      fleet.close();
      cutover.close();
      traffic.close();
      if (routing instanceof HaproxyRouter h) {
        h.close();
      }
      if (haproxy != null) {
        haproxy.close();
      }
      scheduler.shutdownNow();
    }

    TrafficGenerator.Stats stats = traffic.stats();
    @Nullable Duration rollbackTime = timeToRollback(events, v2.id());
    out.println();
    out.println("Summary");
    stats
        .byRelease()
        .forEach(
            (id, n) ->
                out.printf("  requests served by %-3s %8d%n", labels.getOrDefault(id, id), n));
    out.printf(
        "  failed requests         %8d  (%d answered 5xx, %d without an answer)%n",
        stats.serverErrors() + stats.failed(), stats.serverErrors(), stats.failed());
    if (traffic.skipped() > 0) {
      out.printf(
          "  not sent                %8d  (the traffic generator fell behind: this machine is busy)%n",
          traffic.skipped());
    }
    out.printf(
        "  v3 exposure             %8d requests, at most %.0f %% of traffic, %d errors%n",
        stats.byRelease().getOrDefault(v3.id(), 0L),
        timeline.maxWeight(v3.id()),
        timeline.errors(v3.id()));
    out.printf(
        "  time to rollback        %8s  (gate failure -> 100 %% on v2)%n",
        rollbackTime == null ? "n/a" : rollbackTime.toMillis() + " ms");
    out.printf(
        "  outcomes                v1 %s, v2 %s, v3 %s%n",
        state(outcomes.get("v1")), state(outcomes.get("v2")), state(outcomes.get("v3")));
    out.printf(
        "  wall time               %8.1f s%n",
        Duration.between(begin, clock.instant()).toMillis() / 1000.0);
    Path html = report.toAbsolutePath();
    Files.writeString(html, DemoReport.html(timeline, events, labels, stats, rollbackTime, router));
    out.println("  report                  " + html);
    boolean asExpected =
        state(outcomes.get("v1")) == RolloutState.SUCCEEDED
            && state(outcomes.get("v2")) == RolloutState.SUCCEEDED
            && state(outcomes.get("v3")) == RolloutState.ABORTED;
    out.println(
        asExpected
            ? "As expected: v2 is live, v3 was rolled back automatically."
            : "NOT as expected: see the events above and " + dir);
    return asExpected ? 0 : 1;
  }

  private static String randomKey() {
    byte[] key = new byte[16];
    new SecureRandom().nextBytes(key);
    return HexFormat.of().formatHex(key);
  }

  private RolloutStatus run(Cutover cutover, RolloutStrategy strategy, Release release)
      throws Exception {
    Rollout r = cutover.deploy(strategy, release, replicas);
    return r.completion().toCompletableFuture().get(5, TimeUnit.MINUTES);
  }

  private CanaryStrategy canary() {
    Step.Verify verify =
        Step.Verify.gates("success-rate", "instances")
            .initialDelay(Duration.ofSeconds(stepSeconds))
            .interval(Duration.ofSeconds(stepSeconds))
            .count(2)
            // A window without traffic (a starved machine) is no data: tolerate a few before
            // pausing for a human.
            .inconclusiveLimit(3)
            .build();
    return CanaryStrategy.builder()
        .scaleDownDelay(Duration.ofSeconds(2))
        .setWeight(10)
        .analysis(verify)
        .setWeight(30)
        .analysis(verify)
        .setWeight(60)
        .analysis(verify)
        .build();
  }

  private void printEvent(RolloutEvent e, Map<String, String> labels) {
    String msg = e.message();
    for (Map.Entry<String, String> l : labels.entrySet()) {
      msg = msg.replace(l.getKey(), l.getValue());
    }
    switch (e.type()) {
      case STEP_STARTED,
          TRAFFIC_SHIFTED,
          GATE_VERDICT,
          ABORT_STARTED,
          ROLLOUT_SUCCEEDED,
          ROLLOUT_ABORTED,
          DRIFT_DETECTED,
          PROVIDER_RETRY ->
          out.printf(
              "    %-17s %s%n",
              e.type().name().toLowerCase(Locale.ROOT).replace('_', ' '), shorten(msg));
      default -> {}
    }
  }

  private void printProgress(Timeline timeline, Cutover cutover, Router routing) {
    try {
      String step =
          cutover.activeRollouts().stream()
              .findFirst()
              .map(
                  r ->
                      "step "
                          + (r.status().stepIndex() + 1)
                          + "/"
                          + r.status().stepCount()
                          + " "
                          + r.status().state())
              .orElse("idle");
      Optional<TrafficSplit> split = routing.current(SERVICE);
      out.println("    ... " + step + " | " + timeline.liveLine(split.orElse(null)));
    } catch (RuntimeException e) {
      out.println("    ... (progress unavailable: " + e.getMessage() + ")");
    }
  }

  private static @Nullable Duration timeToRollback(List<RolloutEvent> events, String stableId) {
    Instant failed = null;
    for (RolloutEvent e : events) {
      if (e.type() == RolloutEvent.Type.ABORT_STARTED) {
        failed = e.time();
      } else if (failed != null
          && e.type() == RolloutEvent.Type.TRAFFIC_SHIFTED
          && e.split() != null
          && e.split().weight(stableId) == TrafficSplit.TOTAL) {
        return Duration.between(failed, e.time());
      }
    }
    return null;
  }

  private static @Nullable RolloutState state(@Nullable RolloutStatus s) {
    return s == null ? null : s.state();
  }

  private static String shorten(String s) {
    return s.length() > 150 ? s.substring(0, 147) + "..." : s;
  }

  private static ArtifactRef put(FilesystemArtifactStore store, String version, int errorEvery) {
    // The launch labels go into a launch manifest under the digest: the reference names what runs.
    return store.put(
        SampleArtifacts.REPOSITORY,
        SampleArtifacts.jar(version, errorEvery),
        new ArtifactMetadata(
            SampleArtifacts.JAR_MEDIA_TYPE,
            null,
            SampleArtifacts.labels(version),
            Provenance.NONE));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
