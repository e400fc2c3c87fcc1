// SPDX-License-Identifier: Apache-2.0
package io.cutover.benchmarks;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Instance;
import io.cutover.api.Provenance;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.api.rollout.RolloutState;
import io.cutover.api.rollout.RolloutStatus;
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
import io.cutover.provider.haproxy.RuntimeApi;
import io.cutover.provider.local.fleet.LocalProcessFleet;
import io.cutover.provider.local.router.InProcessRouter;
import io.cutover.provider.local.store.ArtifactMetadata;
import io.cutover.provider.local.store.FilesystemArtifactStore;
import io.cutover.provider.nginx.NginxRouter;
import io.cutover.samples.HaproxyProcess;
import io.cutover.samples.SampleArtifacts;
import io.cutover.samples.TrafficGenerator;
import io.cutover.spi.OperationId;
import io.cutover.spi.Router;
import io.cutover.testfixtures.NginxProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Real HAProxy (and NGINX) in front of real sample-service processes, under open-loop load.
 *
 * <ul>
 *   <li>{@code haproxy.reaction_p99}: from the FAIL verdict of a canary's gate (the engine's event
 *       time) to the moment HAProxy has acknowledged the all-stable split (end of the rollback's
 *       route call), under load, over N aborted canaries; at 1000 requests/s the next request,
 *       served by stable, follows within about a millisecond. (Client send times are not used: an
 *       overloaded client sends late, which hides the switch.)
 *   <li>{@code haproxy.requests}, {@code haproxy.failed_requests}: requests sent through HAProxy
 *       during the run, and those without an answer or answered by HAProxy itself with 5xx (the
 *       canary's own 5xx are the application's and do not count);
 *   <li>{@code nginx.failed_requests}: the same for NGINX during weight changes, without client
 *       retries, with the Lua module loaded ({@code nginx.dynamic_weights} 1: weights in shared
 *       memory, {@code nginx.reloads} 0) or, where it is missing, on the reload path; {@code
 *       nginx_reload.*}: the reload path, always;
 *   <li>{@code router.weight_change_p50.<router>}: median time of {@code Router.apply} for a weight
 *       change, in-process, HAProxy, NGINX (one PUT to shared memory and a read-back) and {@code
 *       nginx-reload} (check, reload and observation).
 * </ul>
 *
 * Baselines measured in the same run: {@code baseline.haproxy_api_rtt_p50} (one runtime-API round
 * trip on the router's kept connection, the floor of an HAProxy weight change), {@code
 * baseline.haproxy_api_rtt_one_connection_per_call_p50} (the same with a new connection per call)
 * and {@code baseline.gate_interval} (the analysis interval, the floor of detection, which the
 * reaction excludes).
 *
 * <p>Arguments: {@code [trials] [rate] [changes]}, default 15 aborted canaries at 1000 requests/s
 * and 100 timed HAProxy weight changes (ten times as many in-process, three tenths as many NGINX
 * reloads). Needs the Debian packages haproxy and nginx-light.
 */
public final class HaproxyBenchmark {
  private static final String SHOP = "shop";
  private static final int WARMUP_TRIALS = 3;
  private static final InstantSource CLOCK = InstantSource.system();

  private record Result(Instant sent, String release, int status) {}

  private HaproxyBenchmark() {}

  public static void main(String[] args) throws Exception {
    int trials = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    int changes = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    if (HaproxyProcess.binary().isEmpty() || NginxProcess.binary().isEmpty()) {
      System.err.println("haproxy benchmark needs the Debian packages haproxy and nginx-light");
      System.exit(2);
    }
    Path dir = Files.createTempDirectory("cutover-bench-haproxy");
    ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    FilesystemArtifactStore store = FilesystemArtifactStore.open(dir.resolve("store"));
    LocalProcessFleet fleet =
        LocalProcessFleet.builder(dir.resolve("fleet"), store)
            .scheduler(scheduler)
            .gracePeriod(Duration.ofSeconds(3))
            .build();
    HaproxyProcess haproxy =
        HaproxyProcess.start(dir.resolve("haproxy"), Map.of(SHOP, freePort()), scheduler, CLOCK);
    HaproxyRouter router = HaproxyRouter.builder(haproxy.socket()).build();
    InProcessMetrics metrics = InProcessMetrics.create(CLOCK, Duration.ofMinutes(10));
    List<RolloutEvent> events = new CopyOnWriteArrayList<>();
    Duration interval = Duration.ofMillis(500);
    List<Double> rollbackApplies = new CopyOnWriteArrayList<>();
    List<Instant> rollbackDone = new CopyOnWriteArrayList<>();
    Router timedRouter =
        new Router() {
          @Override
          public void apply(
              OperationId op,
              String service,
              TrafficSplit split,
              Map<String, List<Instance>> backends) {
            long t0 = System.nanoTime();
            router.apply(op, service, split, backends);
            if (op.value().contains("/r0/")) {
              // The rollback's first step routes 100 % to stable: from here on HAProxy sends every
              // new request there.
              rollbackDone.add(CLOCK.instant());
              rollbackApplies.add((System.nanoTime() - t0) / 1e6);
            }
          }

          @Override
          public Optional<TrafficSplit> current(String service) {
            return router.current(service);
          }
        };
    Cutover cutover =
        Cutover.builder()
            .allowUnverifiedArtifacts()
            .fleet(fleet)
            .router(timedRouter)
            .gate(
                ThresholdGate.successRate(
                        "success-rate",
                        InProcessMetricSource.of(metrics),
                        QueryDialect.IN_PROCESS,
                        0.99)
                    .onNoData(NoDataPolicy.INCONCLUSIVE)
                    .build())
            .listener(events::add)
            .build();
    Release stable = Release.of(SHOP, put(store, "stable", 0)).withLabel("stable");
    Release other = Release.of(SHOP, put(store, "other", 0)).withLabel("other");
    Release bad = Release.of(SHOP, put(store, "bad", 4)).withLabel("bad");
    try {
      await(
          cutover.deploy(
              BlueGreenStrategy.builder().scaleDownDelay(Duration.ZERO).build(), stable, 2));
      Queue<Result> results = new ConcurrentLinkedQueue<>();
      LongAdder haproxyFailed = new LongAdder();
      TrafficGenerator load =
          TrafficGenerator.builder("http://127.0.0.1:" + haproxy.port(SHOP) + "/", scheduler, CLOCK)
              .rate(rate)
              .newConnectionShare(0.1)
              .listener(
                  (release, status, sent, latency) -> {
                    if (release != null) {
                      metrics
                          .counter("http_requests_total")
                          .add(1, "release", release, "code", Integer.toString(status));
                      results.add(new Result(sent, release, status));
                    } else {
                      haproxyFailed.increment();
                    }
                  })
              .build()
              .start();

      CanaryStrategy canary =
          CanaryStrategy.builder()
              .scaleDownDelay(Duration.ZERO)
              .setWeight(20)
              .analysis(
                  Step.Verify.gates("success-rate")
                      .initialDelay(interval)
                      .interval(interval)
                      .count(3)
                      .build())
              .build();
      List<Double> reactions = new ArrayList<>();
      double warmupReaction = Double.NaN;
      // Trials -3..-1 are a warm-up, not counted: the first abort of the JVM loads and compiles
      // the rollback path (engine, router, kept connection), which no later rollback pays again,
      // and the next ones still ran partly interpreted (with one warm-up trial, trial 0 was the
      // slowest counted trial in 2 of 3 runs: 9.0 and 20.5 ms against a median of 2 ms).
      for (int t = -WARMUP_TRIALS; t < trials; t++) {
        results.clear();
        events.clear();
        RolloutStatus st = await(cutover.deploy(canary, bad, 1));
        if (st.state() != RolloutState.ABORTED) {
          throw new IllegalStateException("trial " + t + " did not abort: " + st);
        }
        Instant failed =
            events.stream()
                .filter(
                    e ->
                        e.type() == RolloutEvent.Type.GATE_VERDICT
                            && e.verdict() != null
                            && e.verdict().outcome() == Verdict.Outcome.FAIL)
                .findFirst()
                .orElseThrow()
                .time();
        Instant switched = rollbackDone.get(rollbackDone.size() - 1);
        double reaction = Duration.between(failed, switched).toNanos() / 1e6;
        if (t == -WARMUP_TRIALS) {
          warmupReaction = reaction;
        }
        if (t < 0) {
          rollbackApplies.clear();
        } else {
          reactions.add(reaction);
        }
        TimeUnit.MILLISECONDS.sleep(300);
        double observed = lastRequestTo(new ArrayList<>(results), bad.id(), failed);
        Instant abort =
            events.stream()
                .filter(e -> e.type() == RolloutEvent.Type.ABORT_STARTED)
                .findFirst()
                .orElseThrow()
                .time();
        Instant shifted =
            events.stream()
                .filter(
                    e -> e.type() == RolloutEvent.Type.TRAFFIC_SHIFTED && e.time().isAfter(abort))
                .findFirst()
                .orElseThrow()
                .time();
        System.err.printf(
            Locale.ROOT,
            "trial %d: verdict -> HAProxy serving stable only %.1f ms (HAProxy apply %.1f ms; "
                + "verdict -> engine's TRAFFIC_SHIFTED %.1f ms; last canary request sent %.1f ms after the verdict)%s%n",
            t,
            reaction,
            t < 0 ? Double.NaN : rollbackApplies.get(rollbackApplies.size() - 1),
            Duration.between(failed, shifted).toNanos() / 1e6,
            observed,
            events.stream().anyMatch(e -> e.type() == RolloutEvent.Type.PROVIDER_RETRY)
                ? " with provider retries"
                : "");
      }

      // Weight changes under the same load: HAProxy against its API round trip.
      List<Instance> s = live(fleet, stable);
      List<Instance> o = fleet.launch(new OperationId("bench/other"), other, 2);
      Map<String, List<Instance>> backends = Map.of(stable.id(), s, other.id(), o);
      List<Double> haproxyChanges = weightChanges(router, SHOP, stable, other, backends, changes);
      List<Double> apiRtt = timed(100, () -> router.api().execute("show info"));
      RuntimeApi oneShot = new RuntimeApi(haproxy.socket());
      List<Double> apiRttOneShot = timed(100, () -> oneShot.execute("show info"));
      router.apply(
          new OperationId("bench/back"),
          SHOP,
          TrafficSplit.all(stable.id()),
          Map.of(stable.id(), s));
      InProcessRouter inProcess = InProcessRouter.create();
      List<Double> inProcessChanges =
          weightChanges(inProcess, SHOP, stable, other, backends, changes * 10);
      TimeUnit.SECONDS.sleep(1);
      load.stop();
      TimeUnit.SECONDS.sleep(1);
      TrafficGenerator.Stats hs = load.stats();
      load.close();

      // NGINX with the Lua module (weights in shared memory, no reload), when installed, then the
      // reload path, each under the same load without client retries.
      boolean lua = NginxProcess.luaModules().isPresent();
      NginxRun dyn =
          nginxRun(dir.resolve("nginx"), scheduler, stable, other, s, backends, rate, changes, lua);
      NginxRun reload =
          nginxRun(
              dir.resolve("nginx-reload"),
              scheduler,
              stable,
              other,
              s,
              backends,
              rate,
              Math.max(2, changes * 3 / 10),
              false);

      // Requests without the service's X-Release header: no answer at all, or a 5xx made by HAProxy
      // itself.
      long haproxyProxyErrors = haproxyFailed.sum();
      print("haproxy.reaction_p99", percentile(reactions, 99), "ms");
      print("haproxy.reaction_p50", percentile(reactions, 50), "ms");
      print("haproxy.reaction_max", percentile(reactions, 100), "ms");
      print("haproxy.reaction_warmup_trial", warmupReaction, "ms");
      print("haproxy.rollback_apply_p99", percentile(rollbackApplies, 99), "ms");
      print("haproxy.rollback_apply_p50", percentile(rollbackApplies, 50), "ms");
      print("baseline.gate_interval", interval.toMillis(), "ms");
      System.out.printf(Locale.ROOT, "BENCH haproxy.requests %d count%n", hs.sent());
      System.out.printf(
          Locale.ROOT, "BENCH haproxy.failed_requests %d count%n", haproxyProxyErrors);
      System.out.printf(Locale.ROOT, "BENCH nginx.dynamic_weights %d bool%n", lua ? 1 : 0);
      System.out.printf(Locale.ROOT, "BENCH nginx.requests %d count%n", dyn.stats.sent());
      System.out.printf(Locale.ROOT, "BENCH nginx.failed_requests %d count%n", dyn.failed());
      System.out.printf(Locale.ROOT, "BENCH nginx.reloads %d count%n", dyn.reloads);
      System.out.printf(Locale.ROOT, "BENCH nginx_reload.requests %d count%n", reload.stats.sent());
      System.out.printf(
          Locale.ROOT, "BENCH nginx_reload.failed_requests %d count%n", reload.failed());
      print("router.weight_change_p50.in-process", percentile(inProcessChanges, 50), "ms");
      print("router.weight_change_p50.haproxy", percentile(haproxyChanges, 50), "ms");
      print("router.weight_change_p50.nginx", percentile(dyn.changes, 50), "ms");
      print("router.weight_change_p50.nginx-reload", percentile(reload.changes, 50), "ms");
      print("baseline.haproxy_api_rtt_p50", percentile(apiRtt, 50), "ms");
      print(
          "baseline.haproxy_api_rtt_one_connection_per_call_p50",
          percentile(apiRttOneShot, 50),
          "ms");
      System.out.printf(Locale.ROOT, "BENCH haproxy.trials %d count%n", trials);
      System.out.printf(Locale.ROOT, "BENCH haproxy.warmup_trials %d count%n", WARMUP_TRIALS);
    } finally {
      fleet.stopAll();
      fleet.close();
      cutover.close();
      router.close();
      haproxy.close();
      scheduler.shutdownNow();
    }
  }

  /** One NGINX router's weight changes under load, and what a client without retries saw. */
  private record NginxRun(List<Double> changes, TrafficGenerator.Stats stats, int reloads) {
    long failed() {
      return stats.failed() + stats.serverErrors();
    }
  }

  private static NginxRun nginxRun(
      Path dir,
      ScheduledExecutorService scheduler,
      Release stable,
      Release other,
      List<Instance> stableInstances,
      Map<String, List<Instance>> backends,
      int rate,
      int changes,
      boolean lua)
      throws Exception {
    try (NginxProcess nginx =
            NginxProcess.start(
                dir,
                Map.of(SHOP, freePort()),
                freePort(),
                new NginxProcess.Upstreams(NginxRouter::upstream, NginxRouter::initialUpstream),
                scheduler,
                CLOCK,
                lua);
        NginxRouter router =
            NginxRouter.builder(
                    nginx.configFile(), nginx.prefix(), nginx.upstreamDir(), nginx.statusPort())
                .scheduler(scheduler)
                .build()) {
      router.apply(
          new OperationId("bench/n0"),
          SHOP,
          TrafficSplit.all(stable.id()),
          Map.of(stable.id(), stableInstances));
      int reloadsBefore = router.reloads();
      TrafficGenerator load =
          TrafficGenerator.builder("http://127.0.0.1:" + nginx.port(SHOP) + "/", scheduler, CLOCK)
              .rate(rate)
              .newConnectionShare(0.1)
              .build()
              .start();
      List<Double> times = weightChanges(router, SHOP, stable, other, backends, changes);
      TimeUnit.SECONDS.sleep(1);
      load.stop();
      TimeUnit.SECONDS.sleep(1);
      TrafficGenerator.Stats stats = load.stats();
      load.close();
      return new NginxRun(times, stats, router.reloads() - reloadsBefore);
    }
  }

  /**
   * When, relative to the verdict, the last request that reached the canary was sent (client send
   * time).
   */
  private static double lastRequestTo(List<Result> results, String badId, Instant failed) {
    Instant last = null;
    for (Result r : results) {
      if (r.release().equals(badId) && (last == null || r.sent().isAfter(last))) {
        last = r.sent();
      }
    }
    return last == null ? Double.NaN : Duration.between(failed, last).toNanos() / 1e6;
  }

  private static List<Double> weightChanges(
      Router router,
      String service,
      Release a,
      Release b,
      Map<String, List<Instance>> backends,
      int n) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TrafficSplit split = TrafficSplit.of(a.id(), b.id(), (i % 2 == 0) ? 1_000 : 2_000);
      OperationId op = new OperationId("bench/" + router.getClass().getSimpleName() + "/" + i);
      long t0 = System.nanoTime();
      router.apply(op, service, split, backends);
      out.add((System.nanoTime() - t0) / 1e6);
    }
    return out;
  }

  private static List<Double> timed(int n, Supplier<?> call) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      Object unused = call.get(); // only the time the call takes is measured
      out.add((System.nanoTime() - t0) / 1e6);
    }
    return out;
  }

  private static List<Instance> live(LocalProcessFleet fleet, Release r) {
    return fleet.instances(SHOP).stream().filter(i -> i.releaseId().equals(r.id())).toList();
  }

  private static RolloutStatus await(Rollout r) throws Exception {
    return r.completion().toCompletableFuture().get(3, TimeUnit.MINUTES);
  }

  private static double percentile(List<Double> values, double p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
  }

  private static void print(String name, double value, String unit) {
    System.out.printf(Locale.ROOT, "BENCH %s %.3f %s%n", name, value, unit);
  }

  private static ArtifactRef put(FilesystemArtifactStore store, String version, int errorEvery) {
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
