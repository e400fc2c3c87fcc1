package io.cutover.benchmarks;

import io.cutover.core.journal.DurabilityMode;
import io.cutover.core.journal.FileJournal;
import io.cutover.spi.JournalRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The file journal's throughput and resume cost, on the machine's real disk ({@code java.io.tmpdir}).
 *
 * <ul>
 *   <li>{@code journal.fsync_baseline}: one writer, one {@code write} + {@code fsync} per record on a
 *       plain {@link FileChannel} — the ceiling for a journal without group commit, measured in the same run.
 *   <li>{@code journal.durable_appends}: 64 writers appending durably ({@link DurabilityMode#FSYNC}) with group
 *       commit, each keeping a window of {@value #WINDOW} appends in flight with
 *       {@link FileJournal#appendAsync}; every record is acknowledged only after its fsync.
 *   <li>{@code journal.durable_appends_blocking}: the same 64 writers through the blocking SPI call
 *       {@link FileJournal#append} (one record in flight per writer), bounded by 64 records per fsync.
 *   <li>{@code journal.resume_10k}: a fresh JVM opens a journal holding 10 000 open rollouts (8 records
 *       each, the CREATED one carrying the whole plan as the engine writes it) and replays every record:
 *       what a restarted engine pays before it rebuilds its rollouts.
 *   <li>{@code journal.resume_10k_thread_cpu}: the CPU time the resuming thread spent in that open and
 *       replay (helper threads hashing for it not included): close to the wall time on an idle machine,
 *       and not inflated by other processes' load as the wall time is.
 *   <li>{@code journal.resume_10k_after_history}: the same after 100 000 ended rollouts were compacted
 *       into history, showing that open time does not grow with history.
 * </ul>
 *
 * Run with {@code ./benchmarks/run journal}.
 */
public final class JournalBenchmark {
  private static final int WRITERS = 64;
  private static final int WINDOW = 32;
  private static final int OPEN_ROLLOUTS = 10_000;
  private static final int HISTORY_ROLLOUTS = 100_000;
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private JournalBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("--resume")) {
      java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
      long cpu0 = threads.getCurrentThreadCpuTime();
      double wall = resumeOnce(Path.of(args[1]));
      // CPU the resuming thread spent (helpers that hash for it excluded): a figure load does not inflate.
      double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6;
      double process = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
          .getOperatingSystemMXBean()).getProcessCpuTime() / 1e6;
      System.out.println(wall + " " + cpu + " " + process);
      return;
    }
    Path root = Files.createTempDirectory("cutover-journal-bench");
    try {
      double fsyncs = fsyncBaseline(root.resolve("baseline.bin"), 2_000_000_000L);
      double blocking = appends(root.resolve("blocking"), false, 150);
      double pipelined = appends(root.resolve("pipelined"), true, 1_500);
      Path open = root.resolve("resume");
      buildOpenRollouts(open, 0);
      double[] resume = medianResume(open);
      Path history = root.resolve("resume-history");
      buildOpenRollouts(history, HISTORY_ROLLOUTS);
      double[] resumeHistory = medianResume(history);
      System.out.printf("BENCH journal.fsync_baseline %.0f fsyncs/s%n", fsyncs);
      System.out.printf("BENCH journal.durable_appends %.0f events/s%n", pipelined);
      System.out.printf("BENCH journal.durable_appends_blocking %.0f events/s%n", blocking);
      System.out.printf("BENCH journal.resume_10k %.0f ms%n", resume[0]);
      System.out.printf("BENCH journal.resume_10k_thread_cpu %.0f ms%n", resume[1]);
      System.out.printf("BENCH journal.resume_10k_after_history %.0f ms%n", resumeHistory[0]);
    } finally {
      deleteTree(root);
    }
  }

  /** One writer, one write and one fsync per record, for {@code nanos} of wall time. */
  private static double fsyncBaseline(Path file, long nanos) throws IOException {
    byte[] record = new byte[200];
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long n = 0;
      long start = System.nanoTime();
      long end = start + nanos;
      long now;
      do {
        ByteBuffer b = ByteBuffer.wrap(record);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(false);
        n++;
        now = System.nanoTime();
      } while (now < end);
      return n * 1e9 / (now - start);
    }
  }

  /** 64 writers, {@code each} durable appends apiece; events per second over the whole run. */
  private static double appends(Path dir, boolean pipelined, int each) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    try (FileJournal j = FileJournal.builder(dir).durability(DurabilityMode.FSYNC).open()) {
      CyclicBarrier start = new CyclicBarrier(WRITERS + 1);
      List<Future<Long>> done = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        String rollout = "svc-" + w + "-r1";
        done.add(pool.submit(() -> {
          start.await();
          long acked = 0;
          ArrayDeque<CompletableFuture<JournalRecord>> inFlight = new ArrayDeque<>();
          for (int i = 0; i < each; i++) {
            JournalRecord r = step(rollout, i);
            if (!pipelined) {
              j.append(r);
              acked++;
              continue;
            }
            inFlight.add(j.appendAsync(r));
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
      if (total != (long) WRITERS * each || j.lastSequence() != total) {
        throw new AssertionError("acknowledged " + total + ", journal holds " + j.lastSequence());
      }
      System.err.printf("%s: %d records in %.2f s, %d group commits (%.1f records per fsync), load %s%n",
          pipelined ? "pipelined" : "blocking", total, secs, j.commits(), (double) total / j.commits(),
          loadAverage());
      return total / secs;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Writes {@code ended} finished rollouts (compacted into history) and then 10 000 open rollouts of 8
   * records each, the shape the engine leaves: CREATED, step started, launch intent/done, step completed,
   * step started, route intent/done.
   */
  private static void buildOpenRollouts(Path dir, int ended) throws IOException {
    try (FileJournal j = FileJournal.builder(dir).durability(DurabilityMode.OS_BUFFERED).open()) {
      List<CompletableFuture<JournalRecord>> last = new ArrayList<>();
      for (int i = 0; i < ended; i++) {
        String id = "svc-" + (i % 500) + "-old" + i;
        last.add(j.appendAsync(created(id)));
        last.add(j.appendAsync(step(id, 0)));
        last.add(j.appendAsync(JournalRecord.of(T0, id, service(id), JournalRecord.Type.ENDED, null,
            "{\"outcome\":\"succeeded\",\"target\":\"" + service(id) + "-v2\"}")));
        if (last.size() > 30_000) {
          CompletableFuture.allOf(last.toArray(CompletableFuture[]::new)).join();
          last.clear();
        }
      }
      CompletableFuture.allOf(last.toArray(CompletableFuture[]::new)).join();
      last.clear();
      if (ended > 0) {
        j.compact();
      }
      for (int i = 0; i < OPEN_ROLLOUTS; i++) {
        String id = "svc-" + i + "-r" + i;
        last.add(j.appendAsync(created(id)));
        for (int s = 0; s < 7; s++) {
          last.add(j.appendAsync(step(id, s)));
        }
      }
      CompletableFuture.allOf(last.toArray(CompletableFuture[]::new)).join();
    }
  }

  /** Forks a JVM that opens and replays the journal once; returns its wall and process CPU milliseconds. */
  private static double[] resumeInChildJvm(Path dir) throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), JournalBenchmark.class.getName(), "--resume", dir.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      out = r.readLine();
    }
    if (p.waitFor() != 0 || out == null) {
      throw new IllegalStateException("resume child failed with exit code " + p.exitValue());
    }
    String[] parts = out.trim().split(" ");
    return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Double.parseDouble(parts[2])};
  }

  /** Opens the journal and replays every record, as a restarting engine would; milliseconds. */
  private static double resumeOnce(Path dir) {
    long t0 = System.nanoTime();
    AtomicLong records = new AtomicLong();
    AtomicLong created = new AtomicLong();
    try (FileJournal j = FileJournal.builder(dir).durability(DurabilityMode.FSYNC).open()) {
      j.replay(0, r -> {
        records.incrementAndGet();
        if (r.type() == JournalRecord.Type.CREATED) {
          created.incrementAndGet();
        }
      });
      double ms = (System.nanoTime() - t0) / 1e6;
      if (created.get() != OPEN_ROLLOUTS || records.get() != OPEN_ROLLOUTS * 8L) {
        throw new AssertionError("replayed " + records + " records of " + created + " rollouts");
      }
      return ms;
    }
  }

  private static String service(String rollout) {
    return rollout.substring(0, rollout.lastIndexOf('-'));
  }

  /**
   * A CREATED record shaped like the engine's: the rollout's metadata and its whole plan as JSON (a
   * four-step canary with analysis), which is what makes CREATED the largest record of a rollout.
   */
  private static JournalRecord created(String id) {
    return JournalRecord.of(T0, id, service(id), JournalRecord.Type.CREATED, null, CREATED_PAYLOAD);
  }

  private static final String CREATED_PAYLOAD = createdPayload();

  private static String createdPayload() {
    io.cutover.api.Release v1 = io.cutover.api.Release.of("svc", new io.cutover.api.ArtifactRef(
        "registry.internal/svc", io.cutover.api.Digest.sha256("v1")), io.cutover.api.ConfigRef.EMPTY);
    io.cutover.api.Release v2 = io.cutover.api.Release.of("svc", new io.cutover.api.ArtifactRef(
        "registry.internal/svc", io.cutover.api.Digest.sha256("v2")), io.cutover.api.ConfigRef.EMPTY);
    io.cutover.api.plan.Step.Verify verify = io.cutover.api.plan.Step.Verify.gates("error-rate").count(10)
        .interval(java.time.Duration.ofSeconds(30)).build();
    io.cutover.api.plan.Plan plan = io.cutover.core.strategy.Strategies.canary().setWeight(10).analysis(verify)
        .setWeight(50).analysis(verify).build().plan(new io.cutover.spi.PlanRequest(v1, v2, 4));
    com.fasterxml.jackson.databind.node.ObjectNode created =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    created.put("strategy", plan.strategy()).put("target", v2.id()).put("artifact", v2.artifact().toString())
        .put("config", v2.config().digest().toString()).put("stable", v1.id()).put("steps", plan.steps().size())
        .put("initiator", "pipeline-4711").put("progressDeadline", "PT10M").put("skipAnalysis", false);
    created.putObject("annotations").put("ticket", "OPS-1234");
    created.putArray("verification").add("signature verified");
    try {
      created.set("plan", new com.fasterxml.jackson.databind.ObjectMapper().readTree(
          io.cutover.core.plan.PlanJson.toJson(plan)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("PlanJson wrote JSON that Jackson cannot read", e);
    }
    return created.toString();
  }

  private static JournalRecord step(String id, int i) {
    String svc = service(id);
    return switch (i % 4) {
      case 0 -> JournalRecord.of(T0, id, svc, JournalRecord.Type.STATE, null,
          "{\"step\":" + i + ",\"status\":\"started\",\"kind\":\"launch\"}");
      case 1 -> JournalRecord.of(T0, id, svc, JournalRecord.Type.INTENT, id + "/s" + i + "/launch",
          "{\"kind\":\"launch\"}");
      case 2 -> JournalRecord.of(T0, id, svc, JournalRecord.Type.DONE, id + "/s" + i + "/launch",
          "{\"kind\":\"launch\"}");
      default -> JournalRecord.of(T0, id, svc, JournalRecord.Type.STATE, null,
          "{\"step\":" + i + ",\"status\":\"completed\",\"kind\":\"launch\"}");
    };
  }

  /**
   * Medians of five fresh-JVM resumes: wall time, and CPU time of the resuming thread. The spread, the
   * whole child's CPU time and the machine's load go to stderr.
   */
  private static double[] medianResume(Path dir) throws Exception {
    double[] wall = new double[5];
    double[] cpu = new double[5];
    double[] process = new double[5];
    for (int i = 0; i < wall.length; i++) {
      double[] r = resumeInChildJvm(dir);
      wall[i] = r[0];
      cpu[i] = r[1];
      process[i] = r[2];
    }
    java.util.Arrays.sort(wall);
    java.util.Arrays.sort(cpu);
    java.util.Arrays.sort(process);
    System.err.printf("resume %s: wall %s ms, resuming thread cpu %s ms, whole process cpu from JVM start %s ms"
        + " (load average %s)%n", dir.getFileName(), java.util.Arrays.toString(wall), java.util.Arrays.toString(cpu),
        java.util.Arrays.toString(process), loadAverage());
    return new double[] {wall[2], cpu[2]};
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
