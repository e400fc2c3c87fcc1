// SPDX-License-Identifier: Apache-2.0
package io.cutover.benchmarks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.OperatingSystemMXBean;
import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.Digest;
import io.cutover.api.Release;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step.Verify;
import io.cutover.core.journal.DurabilityMode;
import io.cutover.core.journal.FileJournal;
import io.cutover.core.plan.PlanJson;
import io.cutover.core.strategy.Strategies;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.PlanRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The file journal's throughput and resume cost, on the machine's real disk ({@code
 * java.io.tmpdir}).
 *
 * <ul>
 *   <li>{@code journal.fsync_baseline}: one writer, one {@code write} + {@code fsync} per record on
 *       a plain {@link FileChannel} — the ceiling for a journal without group commit, measured in
 *       the same run.
 *   <li>{@code journal.durable_appends}: 64 writers appending durably ({@link
 *       DurabilityMode#FSYNC}) with group commit, each keeping a window of {@value #WINDOW} appends
 *       in flight with {@link FileJournal#appendAsync}; every record is acknowledged only after its
 *       fsync.
 *   <li>{@code journal.durable_appends_blocking}: the same 64 writers through the blocking SPI call
 *       {@link FileJournal#append} (one record in flight per writer), bounded by 64 records per
 *       fsync.
 *   <li>{@code journal.resume_10k}: a fresh JVM opens a journal holding 10 000 open rollouts (8
 *       records each, the CREATED one carrying the whole plan as the engine writes it) and replays
 *       every record: what a restarted engine pays before it rebuilds its rollouts.
 *   <li>{@code journal.resume_10k_thread_cpu}: the CPU time the resuming thread spent in that open
 *       and replay (helper threads hashing for it not included): close to the wall time on an idle
 *       machine, and not inflated by other processes' load as the wall time is.
 *   <li>{@code journal.resume_10k_after_history}: the same after 100 000 ended rollouts of 500
 *       services (one in seven aborted) were compacted, showing that open time does not grow with
 *       history. Compaction keeps each service's latest ended and latest succeeded rollout, so
 *       those are replayed too; the resuming child checks that it replayed exactly what that rule
 *       keeps ({@link Retained}).
 * </ul>
 *
 * Run with {@code ./benchmarks/run journal [openRollouts] [historyRollouts] [resumeRuns]
 * [appendsPerWriter] [fsyncMillis]} (defaults 10 000, 100 000, 5, 1 500 and 2 000; the blocking
 * writers append a tenth as many). Figures keep their names at other sizes.
 */
public final class JournalBenchmark {
  private static final int WRITERS = 64;
  private static final int WINDOW = 32;
  private static final int HISTORY_SERVICES = 500;
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private JournalBenchmark() {}

  /**
   * What a replay of the journal holds after compaction, derived from the compaction rule: every
   * record of an open rollout, and of each service's latest ended and latest succeeded rollout;
   * other ended rollouts are summarised into history and leave the journal.
   */
  static final class Retained {
    private final Map<String, Integer> recordsPerRollout = new HashMap<>();
    private final Map<String, String> lastEnded = new HashMap<>();
    private final Map<String, String> lastSucceeded = new HashMap<>();
    private final Set<String> open = new HashSet<>();

    /** A record appended to rollout {@code id}. */
    void record(String id) {
      recordsPerRollout.merge(id, 1, Integer::sum);
      open.add(id);
    }

    /** Rollout {@code id} of {@code service} ended, successfully or not. */
    void ended(String id, String service, boolean succeeded) {
      open.remove(id);
      lastEnded.put(service, id);
      if (succeeded) {
        lastSucceeded.put(service, id);
      }
    }

    /** The rollouts a replay after compaction sees. */
    Set<String> rollouts() {
      Set<String> kept = new HashSet<>(open);
      kept.addAll(lastEnded.values());
      kept.addAll(lastSucceeded.values());
      return kept;
    }

    /** The records a replay after compaction sees. */
    long records() {
      return rollouts().stream().mapToLong(recordsPerRollout::get).sum();
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 4 && args[0].equals("--resume")) {
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long cpu0 = threads.getCurrentThreadCpuTime();
      double wall =
          resumeOnce(Path.of(args[1]), Integer.parseInt(args[2]), Long.parseLong(args[3]));
      // CPU the resuming thread spent (helpers that hash for it excluded): a figure load does not
      // inflate.
      double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6;
      double process =
          ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime()
              / 1e6;
      System.out.println(wall + " " + cpu + " " + process);
      return;
    }
    int openRollouts = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int historyRollouts = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    int resumeRuns = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    int appendsPerWriter = args.length > 3 ? Integer.parseInt(args[3]) : 1_500;
    long fsyncMillis = args.length > 4 ? Long.parseLong(args[4]) : 2_000;
    Path root = Files.createTempDirectory("cutover-journal-bench");
    try {
      double fsyncs = fsyncBaseline(root.resolve("baseline.bin"), fsyncMillis * 1_000_000L);
      double blocking =
          appends(root.resolve("blocking"), false, Math.max(1, appendsPerWriter / 10));
      double pipelined = appends(root.resolve("pipelined"), true, appendsPerWriter);
      Path open = root.resolve("resume");
      Retained openOnly = buildOpenRollouts(open, 0, openRollouts);
      double[] resume = medianResume(open, openOnly, resumeRuns);
      Path history = root.resolve("resume-history");
      Retained afterHistory = buildOpenRollouts(history, historyRollouts, openRollouts);
      double[] resumeHistory = medianResume(history, afterHistory, resumeRuns);
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
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
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
        done.add(
            pool.submit(
                () -> {
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
      System.err.printf(
          "%s: %d records in %.2f s, %d group commits (%.1f records per fsync), load %s%n",
          pipelined ? "pipelined" : "blocking",
          total,
          secs,
          j.commits(),
          (double) total / j.commits(),
          loadAverage());
      return total / secs;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Writes {@code ended} finished rollouts of {@value #HISTORY_SERVICES} services, one in seven
   * aborted (compacted), and then {@code open} open rollouts of 8 records each, the shape the
   * engine leaves: CREATED, step started, launch intent/done, step completed, step started, route
   * intent/done. Returns what a replay must see.
   */
  private static Retained buildOpenRollouts(Path dir, int ended, int open) throws IOException {
    Retained retained = new Retained();
    try (FileJournal j = FileJournal.builder(dir).durability(DurabilityMode.OS_BUFFERED).open()) {
      List<CompletableFuture<JournalRecord>> last = new ArrayList<>();
      for (int i = 0; i < ended; i++) {
        String id = "svc-" + (i % HISTORY_SERVICES) + "-old" + i;
        boolean succeeded = i % 7 != 0;
        last.add(j.appendAsync(created(id)));
        last.add(j.appendAsync(step(id, 0)));
        last.add(
            j.appendAsync(
                JournalRecord.of(
                        T0,
                        id,
                        service(id),
                        JournalRecord.Type.ENDED,
                        null,
                        "{\"outcome\":\""
                            + (succeeded ? "succeeded" : "aborted")
                            + "\",\"target\":\""
                            + service(id)
                            + "-v2\"}")
                    // the index the engine's codec gives ENDED records: what the file journal
                    // summarises by
                    .withIndex(
                        Map.of(
                            "outcome",
                            succeeded ? "succeeded" : "aborted",
                            "target",
                            service(id) + "-v2"))));
        for (int r = 0; r < 3; r++) {
          retained.record(id);
        }
        retained.ended(id, service(id), succeeded);
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
      for (int i = 0; i < open; i++) {
        String id = "svc-" + i + "-r" + i;
        last.add(j.appendAsync(created(id)));
        for (int s = 0; s < 7; s++) {
          last.add(j.appendAsync(step(id, s)));
        }
        for (int r = 0; r < 8; r++) {
          retained.record(id);
        }
      }
      CompletableFuture.allOf(last.toArray(CompletableFuture[]::new)).join();
    }
    return retained;
  }

  /**
   * Forks a JVM that opens and replays the journal once; returns its wall and process CPU
   * milliseconds.
   */
  private static double[] resumeInChildJvm(Path dir, Retained expected) throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                JournalBenchmark.class.getName(),
                "--resume",
                dir.toString(),
                Integer.toString(expected.rollouts().size()),
                Long.toString(expected.records()))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String out;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      out = r.readLine();
    }
    if (p.waitFor() != 0 || out == null) {
      throw new IllegalStateException("resume child failed with exit code " + p.exitValue());
    }
    String[] parts = out.trim().split(" ");
    return new double[] {
      Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Double.parseDouble(parts[2])
    };
  }

  /**
   * Opens the journal and replays every record, as a restarting engine would; milliseconds. Fails
   * unless the replay holds exactly {@code rollouts} rollouts and {@code expectedRecords} records.
   */
  private static double resumeOnce(Path dir, int rollouts, long expectedRecords) {
    long t0 = System.nanoTime();
    AtomicLong records = new AtomicLong();
    AtomicLong created = new AtomicLong();
    try (FileJournal j = FileJournal.builder(dir).durability(DurabilityMode.FSYNC).open()) {
      j.replay(
          0,
          r -> {
            records.incrementAndGet();
            if (r.type() == JournalRecord.Type.CREATED) {
              created.incrementAndGet();
            }
          });
      double ms = (System.nanoTime() - t0) / 1e6;
      if (created.get() != rollouts || records.get() != expectedRecords) {
        throw new AssertionError(
            "replayed "
                + records
                + " records of "
                + created
                + " rollouts; compaction keeps "
                + expectedRecords
                + " records of "
                + rollouts
                + " rollouts (the open ones and each service's latest ended "
                + "and latest succeeded one)");
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
    // the index the engine's codec gives CREATED records (JournalCodec.index); the payload is its
    // JSON
    return JournalRecord.of(T0, id, service(id), JournalRecord.Type.CREATED, null, CREATED_PAYLOAD)
        .withIndex(CREATED_INDEX);
  }

  private static final String CREATED_PAYLOAD = createdPayload();
  private static final Map<String, String> CREATED_INDEX =
      Map.of(
          "strategy",
          "canary",
          "target",
          "svc-v2",
          "initiator",
          "pipeline-4711",
          "annotation.ticket",
          "OPS-1234");

  private static String createdPayload() {
    Release v1 =
        Release.of(
            "svc", new ArtifactRef("registry.internal/svc", Digest.sha256("v1")), ConfigRef.EMPTY);
    Release v2 =
        Release.of(
            "svc", new ArtifactRef("registry.internal/svc", Digest.sha256("v2")), ConfigRef.EMPTY);
    Verify verify = Verify.gates("error-rate").count(10).interval(Duration.ofSeconds(30)).build();
    Plan plan =
        Strategies.canary()
            .setWeight(10)
            .analysis(verify)
            .setWeight(50)
            .analysis(verify)
            .build()
            .plan(new PlanRequest(v1, v2, 4));
    ObjectNode created = JsonNodeFactory.instance.objectNode();
    created
        .put("strategy", plan.strategy())
        .put("target", v2.id())
        .put("artifact", v2.artifact().toString())
        .put("config", v2.config().digest().toString())
        .put("stable", v1.id())
        .put("steps", plan.steps().size())
        .put("initiator", "pipeline-4711")
        .put("progressDeadline", "PT10M")
        .put("skipAnalysis", false);
    created.putObject("annotations").put("ticket", "OPS-1234");
    created.putArray("verification").add("signature verified");
    try {
      created.set("plan", new ObjectMapper().readTree(PlanJson.toJson(plan)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("PlanJson wrote JSON that Jackson cannot read", e);
    }
    return created.toString();
  }

  private static JournalRecord step(String id, int i) {
    String svc = service(id);
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
              id + "/s" + i + "/launch",
              "{\"kind\":\"launch\"}");
      case 2 ->
          JournalRecord.of(
              T0,
              id,
              svc,
              JournalRecord.Type.DONE,
              id + "/s" + i + "/launch",
              "{\"kind\":\"launch\"}");
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

  /**
   * Medians of {@code runs} fresh-JVM resumes: wall time, and CPU time of the resuming thread. The
   * spread, the whole child's CPU time and the machine's load go to stderr.
   */
  private static double[] medianResume(Path dir, Retained expected, int runs) throws Exception {
    double[] wall = new double[runs];
    double[] cpu = new double[runs];
    double[] process = new double[runs];
    for (int i = 0; i < wall.length; i++) {
      double[] r = resumeInChildJvm(dir, expected);
      wall[i] = r[0];
      cpu[i] = r[1];
      process[i] = r[2];
    }
    Arrays.sort(wall);
    Arrays.sort(cpu);
    Arrays.sort(process);
    System.err.printf(
        "resume %s: wall %s ms, resuming thread cpu %s ms, whole process cpu from JVM start %s ms"
            + " (load average %s)%n",
        dir.getFileName(),
        Arrays.toString(wall),
        Arrays.toString(cpu),
        Arrays.toString(process),
        loadAverage());
    return new double[] {wall[runs / 2], cpu[runs / 2]};
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
