// SPDX-License-Identifier: Apache-2.0
package io.cutover.benchmarks;

import io.cutover.api.Instance;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.rollout.RolloutState;
import io.cutover.core.Cutover;
import io.cutover.core.Rollout;
import io.cutover.core.RolloutCommand;
import io.cutover.core.journal.DurabilityMode;
import io.cutover.core.journal.FileJournal;
import io.cutover.core.strategy.Strategies;
import io.cutover.provider.postgres.Lease;
import io.cutover.provider.postgres.PostgresJournal;
import io.cutover.provider.postgres.ReplicaJournal;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.OperationId;
import io.cutover.spi.ReplicaEngine;
import io.cutover.spi.RolloutStrategy;
import io.cutover.spi.SharedJournal;
import io.cutover.testfixtures.PostgresServer;
import io.cutover.testkit.crash.CrashScenario;
import io.cutover.testkit.crash.RecordingWorld;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The throughput and command-latency part of {@code ./benchmarks/run postgres} (called from {@link
 * PostgresBenchmark}), on a private PostgreSQL with {@code fsync=on} and {@code
 * synchronous_commit=on}: every acknowledged record is flushed to the WAL.
 *
 * <ul>
 *   <li>{@code postgres.durable_appends}: {@code writers} threads (default 64), each owning one
 *       rollout by lease and appending {@code appends} records (default 2,000) fenced by its lease
 *       ({@link PostgresJournal#appendAsync(JournalRecord, Lease)}), keeping {@value #WINDOW} in
 *       flight; the journal's writer commits what queued meanwhile in one transaction (group
 *       commit, one WAL flush per batch, each record fenced and hash-chained). Events per second
 *       over the whole run, every record acknowledged only once committed. Target ≥ 10,000.
 *   <li>{@code postgres.vs_file_journal}: that figure over the {@link FileJournal}'s ({@link
 *       DurabilityMode#FSYNC}, same writers, window and records, same run): the baseline.
 *   <li>{@code postgres.file_journal_durable_appends}: the baseline figure itself.
 *   <li>{@code postgres.command_latency_p50} / {@code _p99}: {@code command_trials} (default 100)
 *       times, a rollout paused on replica A is aborted by a command given on replica B ({@code
 *       cutover_command} row + {@code NOTIFY}); from B's call until A's engine has journaled the
 *       abort (its append returned), in ms.
 * </ul>
 */
public final class PostgresThroughput {
  /** The keys of this part in {@link PostgresBenchmark}'s arguments. */
  static final Set<String> KEYS = Set.of("writers", "appends", "command_trials");

  private static final int WINDOW = 32;
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private PostgresThroughput() {}

  /**
   * This part alone (without the kill campaign): {@code java -cp ...
   * io.cutover.benchmarks.PostgresThroughput [writers=64] [appends=2000] [command_trials=100]}.
   */
  public static void main(String[] args) throws Exception {
    run(PostgresBenchmark.Options.parse(args, KEYS));
  }

  /** Runs both parts and prints their BENCH lines. */
  static void run(PostgresBenchmark.Options options) throws Exception {
    int writers = (int) options.number("writers", 64);
    int appends = (int) options.number("appends", 2_000);
    int trials = (int) options.number("command_trials", 100);
    double pg;
    try (PostgresServer server = PostgresServer.start(true)) {
      pg = postgresAppends(server, writers, appends);
    }
    Path dir = Files.createTempDirectory("cutover-pgbench-file");
    double file;
    try {
      file = fileAppends(dir, writers, appends);
    } finally {
      deleteTree(dir);
    }
    System.out.printf("BENCH postgres.durable_appends %.0f events/s%n", pg);
    System.out.printf("BENCH postgres.file_journal_durable_appends %.0f events/s%n", file);
    System.out.printf("BENCH postgres.vs_file_journal %.3f x%n", pg / file);

    double[] latencies;
    Path world = Files.createTempDirectory("cutover-pgbench-cmd");
    try (PostgresServer server = PostgresServer.start(true)) {
      latencies = commandLatencies(server, world, trials);
    } finally {
      deleteTree(world);
    }
    Arrays.sort(latencies);
    System.out.printf("BENCH postgres.command_latency_p50 %.1f ms%n", quantile(latencies, 0.50));
    System.out.printf("BENCH postgres.command_latency_p99 %.1f ms%n", quantile(latencies, 0.99));
    System.out.println("BENCH postgres.command_trials " + latencies.length + " count");
  }

  // ---- Durable appends -------------------------------------------------------------------------

  private static double postgresAppends(PostgresServer server, int writers, int each)
      throws Exception {
    try (PostgresJournal j =
        PostgresJournal.builder(server.jdbcUrl())
            .user(server.user())
            .schema("bench")
            .replica("bench", "throughput benchmark")
            .leaseTtl(Duration.ofMinutes(5))
            .heartbeat(Duration.ofSeconds(5))
            .open()) {
      Lease[] leases = new Lease[writers];
      for (int w = 0; w < writers; w++) {
        leases[w] = j.keeper().tryAcquire(ReplicaJournal.key(rollout(w))).orElseThrow();
      }
      long commits0 = j.commits();
      double rate =
          appends(
              writers,
              each,
              (w, r) -> j.appendAsync(r, leases[w]),
              () -> j.lastSequence(),
              "postgres");
      System.err.printf(
          "postgres: %d transactions (%.1f records per commit)%n",
          j.commits() - commits0, (double) writers * each / Math.max(1, j.commits() - commits0));
      long verified = j.verify();
      if (verified != (long) writers * each) {
        throw new AssertionError("the hash chain verified " + verified + " records");
      }
      return rate;
    }
  }

  private static double fileAppends(Path dir, int writers, int each) throws Exception {
    try (FileJournal j = FileJournal.builder(dir).durability(DurabilityMode.FSYNC).open()) {
      return appends(
          writers, each, (w, r) -> j.appendAsync(r), () -> j.lastSequence(), "file journal");
    }
  }

  /** How one writer appends one record without waiting. */
  private interface Append {
    CompletableFuture<JournalRecord> append(int writer, JournalRecord record);
  }

  /** {@code writers} threads, {@code each} records apiece; events per second over the run. */
  private static double appends(
      int writers, int each, Append append, LongSupplier lastSequence, String what)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      CyclicBarrier start = new CyclicBarrier(writers + 1);
      List<Future<Long>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  long acked = 0;
                  ArrayDeque<CompletableFuture<JournalRecord>> inFlight = new ArrayDeque<>();
                  for (int i = 0; i < each; i++) {
                    inFlight.add(append.append(writer, record(rollout(writer), i)));
                    if (inFlight.size() >= WINDOW) {
                      inFlight.poll().join();
                      acked++;
                    }
                  }
                  while (!inFlight.isEmpty()) {
                    inFlight.poll().join();
                    acked++;
                  }
                  return acked;
                }));
      }
      start.await();
      long t0 = System.nanoTime();
      long total = 0;
      for (Future<Long> f : done) {
        total += f.get();
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      if (total != (long) writers * each || lastSequence.getAsLong() != total) {
        throw new AssertionError(
            what + ": acknowledged " + total + ", journal holds " + lastSequence.getAsLong());
      }
      System.err.printf(
          "%s: %d durable records from %d writers in %.2f s, load %s%n",
          what, total, writers, secs, loadAverage());
      return total / secs;
    } finally {
      pool.shutdownNow();
    }
  }

  private static String rollout(int writer) {
    return "svc" + writer + "-bench-1";
  }

  /** Records of the engine's shape and size (step states, intents, dones). */
  private static JournalRecord record(String id, int i) {
    String svc = id.substring(0, id.indexOf('-'));
    String op = id + "/step-" + (i / 4) + "/launch";
    return switch (i % 4) {
      case 0 ->
          JournalRecord.of(
              T0,
              id,
              svc,
              JournalRecord.Type.STATE,
              null,
              "{\"step\":" + i + ",\"status\":\"started\",\"kind\":\"launch\"}");
      case 1 ->
          JournalRecord.of(
              T0,
              id,
              svc,
              JournalRecord.Type.INTENT,
              op,
              "{\"effect\":\"launch\",\"release\":\"" + svc + "-v2\",\"replicas\":2}");
      case 2 ->
          JournalRecord.of(
              T0,
              id,
              svc,
              JournalRecord.Type.DONE,
              op,
              "{\"effect\":\"launch\",\"instances\":[\"" + svc + "-v2-1\",\"" + svc + "-v2-2\"]}");
      default ->
          JournalRecord.of(
              T0,
              id,
              svc,
              JournalRecord.Type.STATE,
              null,
              "{\"step\":" + i + ",\"status\":\"completed\",\"kind\":\"launch\"}");
    };
  }

  // ---- Command latency -------------------------------------------------------------------------

  private static double[] commandLatencies(PostgresServer server, Path dir, int trials)
      throws Exception {
    String svc = "orders";
    RolloutStrategy paused = Strategies.canary().setWeight(25).pause().build();
    AbortWatch watch = new AbortWatch();
    try (RecordingWorld world = RecordingWorld.open(dir.resolve("effects.log"));
        ReplicaJournal ja = ReplicaJournal.of(replica(server, "a").open());
        ReplicaJournal jb = ReplicaJournal.of(replica(server, "b").open());
        Cutover owner = engine(new Watched(ja, watch), world);
        Cutover other = engine(jb, world)) {
      Release v1 = CrashScenario.release(svc, "v1");
      List<Instance> units = world.fleet().launch(new OperationId("setup/launch"), v1, 2);
      world
          .router()
          .apply(
              new OperationId("setup/route"),
              svc,
              TrafficSplit.all(v1.id()),
              Map.of(v1.id(), units));
      owner.adopt(v1, 2);
      double[] out = new double[trials];
      for (int k = 0; k < trials; k++) {
        Rollout r = owner.deploy(paused, CrashScenario.release(svc, "v" + (k + 2)), 2);
        await(() -> r.status().state() == RolloutState.PAUSED, "rollout paused");
        String reason = "bench-abort-" + k;
        CompletableFuture<Long> journaled = watch.expect(r.id(), reason);
        long t0 = System.nanoTime();
        other.command(r.id(), RolloutCommand.ABORT, reason).get(30, TimeUnit.SECONDS);
        long t1 = journaled.get(30, TimeUnit.SECONDS);
        out[k] = (t1 - t0) / 1e6;
        r.completion().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
      System.err.printf(
          "command latency: %d aborts sent from replica b to the owner a, load %s%n",
          trials, loadAverage());
      return out;
    }
  }

  private static PostgresJournal.Builder replica(PostgresServer server, String id) {
    return PostgresJournal.builder(server.jdbcUrl())
        .user(server.user())
        .schema("commands")
        .replica(id, "command latency benchmark")
        .leaseTtl(Duration.ofSeconds(10))
        .heartbeat(Duration.ofMillis(500));
  }

  private static Cutover engine(SharedJournal journal, RecordingWorld world) {
    return Cutover.builder()
        .allowUnverifiedArtifacts()
        .journal(journal)
        .fleet(world.fleet())
        .router(world.router())
        .build();
  }

  /** Completes when the owner's append of the ABORTING record carrying a reason returned. */
  private static final class AbortWatch {
    private volatile @Nullable String rollout;
    private volatile @Nullable String reason;
    private volatile CompletableFuture<Long> at = new CompletableFuture<>();

    CompletableFuture<Long> expect(String rolloutId, String why) {
      CompletableFuture<Long> f = new CompletableFuture<>();
      at = f;
      reason = why;
      rollout = rolloutId;
      return f;
    }

    void appended(JournalRecord r) {
      String why = reason;
      if (r.rolloutId().equals(rollout) && why != null && r.payload().contains(why)) {
        at.complete(System.nanoTime());
      }
    }
  }

  /** The owner's journal, telling the watch about each append once it is durable. */
  private record Watched(ReplicaJournal journal, AbortWatch watch) implements SharedJournal {
    @Override
    public JournalRecord append(JournalRecord record) {
      JournalRecord stored = journal.append(record);
      watch.appended(stored);
      return stored;
    }

    @Override
    public String replica() {
      return journal.replica();
    }

    @Override
    public void attach(ReplicaEngine engine) {
      journal.attach(engine);
    }

    @Override
    public CompletableFuture<Void> sendCommand(
        String rolloutId, String command, @Nullable String argument) {
      return journal.sendCommand(rolloutId, command, argument);
    }

    @Override
    public List<JournalRecord> endedSince(String service, long afterSequence) {
      return journal.endedSince(service, afterSequence);
    }

    @Override
    public void replay(long fromSequence, Consumer<JournalRecord> consumer) {
      journal.replay(fromSequence, consumer);
    }

    @Override
    public List<JournalRecord> records(String rolloutId) {
      return journal.records(rolloutId);
    }

    @Override
    public boolean tryLease(String service, String rolloutId) {
      return journal.tryLease(service, rolloutId);
    }

    @Override
    public Optional<String> leaseHolder(String service) {
      return journal.leaseHolder(service);
    }

    @Override
    public Optional<String> leaseHolderReplica(String service) {
      return journal.leaseHolderReplica(service);
    }

    @Override
    public void releaseLease(String service, String rolloutId) {
      journal.releaseLease(service, rolloutId);
    }

    @Override
    public void close() {
      journal.close();
    }
  }

  // ---- Helpers ---------------------------------------------------------------------------------

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not within 60 s: " + what);
      }
      Thread.sleep(2);
    }
  }

  /** The {@code q} quantile of sorted values (nearest rank). */
  static double quantile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0]
          + " "
          + f[1]
          + " "
          + f[2]
          + " on "
          + Runtime.getRuntime().availableProcessors()
          + " cores";
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
