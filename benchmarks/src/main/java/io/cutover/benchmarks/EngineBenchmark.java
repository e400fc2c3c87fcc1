// SPDX-License-Identifier: Apache-2.0
package io.cutover.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.OperatingSystemMXBean;
import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.core.Cutover;
import io.cutover.core.journal.DurabilityMode;
import io.cutover.core.journal.FileJournal;
import io.cutover.core.strategy.CanaryStrategy;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.VirtualClock;
import io.cutover.simulator.VirtualScheduler;
import io.cutover.spi.Fleet;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import io.cutover.spi.Journal;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.OperationId;
import io.cutover.spi.PlanRequest;
import io.cutover.spi.Router;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * 10 000 concurrent canary rollouts (10 traffic steps, a gate evaluation every 30 s of virtual
 * time, about one simulated hour each) driven to completion by the engine on one virtual scheduler,
 * against a thread-per-rollout interpreter of the same plans on the same providers and virtual
 * time, in the same run.
 *
 * <p>Providers are minimal in-memory ones (no recording), and the journal counts and discards
 * records after the engine has serialized them: this measures the engine, not storage ({@code
 * ./benchmarks/run journal} measures the journal). One rollout in ten fails its gate at step 4 and
 * is rolled back; the time from the gate returning FAIL to the router call that restores stable is
 * the reaction time.
 *
 * <p>Usage: {@code ./benchmarks/run engine [rollouts] [baselineRollouts]}.
 */
public final class EngineBenchmark {
  static final int STEPS = 10;
  static final int MEASUREMENTS_PER_STEP = 12;
  static final Duration INTERVAL = Duration.ofSeconds(30);
  static final int FAIL_AT_EVALUATION = 3 * MEASUREMENTS_PER_STEP + 2;

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int baselineN = args.length > 1 ? Integer.parseInt(args[1]) : n;
    HeapWatcher heap = new HeapWatcher();

    // warm-up: a smaller engine run so JIT compilation is not billed to the measured run (after
    // 500 rollouts the measured run still compiled: it was 10-20 % slower than a second one)
    runEngine(Math.min(2_000, n), new HeapWatcher());
    System.gc();

    heap.reset();
    EngineRun engine = runEngine(n, heap);
    long heapPeak = heap.peakBytes();
    BaselineRun baseline = runBaseline(baselineN);
    DurableComparison durable = runDurableComparison(n);

    double virtualHours = engine.virtualSpan.toMillis() / 3_600_000.0;
    double wallPerSimHour = engine.wallNanos / 1e9 / virtualHours;
    // Work per rollout is identical in both runs; compare wall time per rollout so a smaller
    // baseline still compares.
    double enginePerRollout = engine.wallNanos / (double) n;
    double baselinePerRollout = baseline.wallNanos / (double) baselineN;
    System.out.printf(
        Locale.ROOT,
        "# engine: %d rollouts (%d succeeded, %d aborted) over %.2f simulated hours in %.2f s"
            + " wall, %.2f s CPU; %d journal records; %d gate evaluations%n",
        n,
        engine.succeeded,
        engine.aborted,
        virtualHours,
        engine.wallNanos / 1e9,
        engine.cpuNanos / 1e9,
        engine.journalRecords,
        engine.evaluations);
    System.out.printf(
        Locale.ROOT,
        "# baseline: %d thread-per-rollout rollouts (%d succeeded, %d aborted) in %.2f s wall,"
            + " %.2f s CPU%n",
        baselineN,
        baseline.succeeded,
        baseline.aborted,
        baseline.wallNanos / 1e9,
        baseline.cpuNanos / 1e9);
    System.out.printf(
        Locale.ROOT,
        "# load average at the end: %.1f on %d cores%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        Runtime.getRuntime().availableProcessors());
    System.out.printf(
        Locale.ROOT, "BENCH engine.rollouts %d count%n", engine.succeeded + engine.aborted);
    System.out.printf(Locale.ROOT, "BENCH engine.wall_per_sim_hour %.3f s%n", wallPerSimHour);
    System.out.printf(Locale.ROOT, "BENCH engine.heap_peak %.1f MB%n", heapPeak / 1e6);
    System.out.printf(
        Locale.ROOT,
        "BENCH engine.speedup_vs_thread_per_rollout %.1f x%n",
        baselinePerRollout / enginePerRollout);
    System.out.printf(
        Locale.ROOT,
        "BENCH engine.reaction_p99 %.3f ms%n",
        engine.reaction.getValueAtPercentile(99) / 1e6);
    System.out.printf(
        Locale.ROOT,
        "BENCH engine.cpu_per_transition %.2f us%n",
        engine.cpuNanos / 1e3 / engine.journalRecords);
    durable.print();
  }

  // ------------------------------------------------------------------------------------------
  // engine

  static long processCpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  record EngineRun(
      long wallNanos,
      long cpuNanos,
      Duration virtualSpan,
      int succeeded,
      int aborted,
      long journalRecords,
      long evaluations,
      Histogram reaction,
      long deployWallNanos) {}

  static EngineRun runEngine(int n, HeapWatcher heap) {
    Providers p = new Providers(n);
    return runEngine(n, heap, p, p.journal, false);
  }

  /**
   * Drives {@code n} rollouts on {@code journal}. Staggered: each rollout is deployed by a task of
   * the scheduler at its offset in the first 30 s (the default benchmark). Aligned: every rollout
   * is deployed before the clock starts, by {@link #CLIENTS} client threads (as a service's callers
   * would: {@code deploy} waits for the CREATED record and the lease), so all of them measure at
   * the same instants; the driver then never lets virtual time pass while a record is in flight, so
   * the simulation is the same as on a journal that answers at once, and each instant's records of
   * all rollouts share the journal's flushes.
   */
  static EngineRun runEngine(
      int n, HeapWatcher heap, Providers p, Journal journal, boolean aligned) {
    VirtualScheduler scheduler = VirtualScheduler.on(VirtualClock.create());
    AtomicInteger succeeded = new AtomicInteger();
    AtomicInteger aborted = new AtomicInteger();
    Cutover cutover =
        Cutover.builder()
            .allowUnverifiedArtifacts()
            .clock(scheduler.clock())
            .scheduler(scheduler)
            .providerExecutor(Runnable::run)
            .journal(journal)
            .fleet(p.fleet)
            .router(p.router)
            .gate(p.gate)
            .listener(
                e -> {
                  if (e.type() == RolloutEvent.Type.ROLLOUT_SUCCEEDED) {
                    succeeded.incrementAndGet();
                  } else if (e.type() == RolloutEvent.Type.ROLLOUT_ABORTED) {
                    aborted.incrementAndGet();
                  }
                })
            .build();
    CanaryStrategy strategy = strategy();
    for (int i = 0; i < n; i++) {
      cutover.adopt(p.stable[i], 4);
    }
    Instant start = scheduler.clock().instant();
    long deployWall = 0;
    if (aligned) {
      long w = System.nanoTime();
      deployAll(cutover, strategy, p, n);
      deployWall = System.nanoTime() - w;
    } else {
      for (int i = 0; i < n; i++) {
        int idx = i;
        scheduler.schedule(
            () -> cutover.deploy(strategy, p.target[idx], 4),
            stagger(i, n).toNanos(),
            TimeUnit.NANOSECONDS);
      }
    }
    // Run in slices of simulated time; between slices (outside the timed part) a full collection
    // measures
    // the live heap, so the peak is live data and not garbage that a young collection left in the
    // old gen.
    long wall = 0;
    long cpu = 0;
    boolean done = false;
    Instant limit = start.plus(Duration.ofHours(6));
    while (!done && scheduler.clock().instant().isBefore(limit)) {
      long w = System.nanoTime();
      long c = processCpuNanos();
      done = scheduler.runUntil(() -> succeeded.get() + aborted.get() == n, Duration.ofMinutes(5));
      wall += System.nanoTime() - w;
      cpu += processCpuNanos() - c;
      heap.sample();
    }
    if (!done) {
      throw new IllegalStateException(
          "engine run did not finish: " + (succeeded.get() + aborted.get()) + "/" + n);
    }
    scheduler.assertNoTaskFailures();
    cutover.close();
    return new EngineRun(
        wall,
        cpu,
        Duration.between(start, scheduler.clock().instant()),
        succeeded.get(),
        aborted.get(),
        journal instanceof Counted f ? f.appends() : p.journal.appends.get(),
        p.gate.evaluations.get(),
        p.router.reaction,
        deployWall);
  }

  static final int CLIENTS = 32;

  /** Deploys every rollout from {@link #CLIENTS} threads and waits until all are journaled. */
  static void deployAll(Cutover cutover, CanaryStrategy strategy, Providers p, int n) {
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<?>> all = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int idx = i;
        all.add(clients.submit(() -> cutover.deploy(strategy, p.target[idx], 4)));
      }
      for (Future<?> f : all) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while deploying", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a deploy failed", e.getCause());
    } finally {
      clients.shutdown();
    }
  }

  static CanaryStrategy strategy() {
    CanaryStrategy.Builder b = Strategies.canary();
    Step.Verify verify =
        Step.Verify.gates("health").count(MEASUREMENTS_PER_STEP).interval(INTERVAL).build();
    for (int s = 1; s <= STEPS; s++) {
      b.setWeight(s * 10).analysis(verify);
    }
    return b.build();
  }

  static Duration stagger(int i, int n) {
    return Duration.ofNanos(INTERVAL.toNanos() * i / n);
  }

  // ------------------------------------------------------------------------------------------
  // durable

  /**
   * The aligned workload twice in the same run: on the counting journal (answers at once) and on a
   * real {@link FileJournal} in FSYNC mode in a temporary directory.
   */
  record DurableComparison(
      int n,
      EngineRun memory,
      EngineRun durable,
      long durableHeapPeak,
      long commits,
      long journalBytes) {

    void print() {
      double hours = durable.virtualSpan.toMillis() / 3_600_000.0;
      double wallS = durable.wallNanos / 1e9;
      double perSecond = durable.journalRecords / wallS;
      // 10 000 rollouts in real time append the same records over the simulated span.
      double needed = durable.journalRecords / (durable.virtualSpan.toMillis() / 1e3);
      System.out.printf(
          Locale.ROOT,
          "# durable: %d rollouts deployed up front by %d client threads (%.2f s on the"
              + " FileJournal, %.2f s in memory), then driven over %.2f simulated hours:"
              + " %.2f s wall, %.2f s CPU on FSYNC vs %.2f s wall, %.2f s CPU in memory;"
              + " %d records in %d group commits (%.0f records per fsync), %.1f MB written,"
              + " live heap peak %.1f MB%n",
          n,
          CLIENTS,
          durable.deployWallNanos / 1e9,
          memory.deployWallNanos / 1e9,
          hours,
          wallS,
          durable.cpuNanos / 1e9,
          memory.wallNanos / 1e9,
          memory.cpuNanos / 1e9,
          durable.journalRecords,
          commits,
          durable.journalRecords / (double) Math.max(1, commits),
          journalBytes / 1e6,
          durableHeapPeak / 1e6);
      System.out.printf(
          Locale.ROOT,
          "# durable: %d rollouts with a gate every %d s in real time need %.0f durable"
              + " transitions/s; the engine sustained %.0f (%.1f x)%n",
          n,
          INTERVAL.toSeconds(),
          needed,
          perSecond,
          perSecond / needed);
      System.out.printf(
          Locale.ROOT, "BENCH engine.durable_wall_per_sim_hour %.3f s%n", wallS / hours);
      System.out.printf(
          Locale.ROOT,
          "BENCH engine.durable_vs_memory %.2f x%n",
          durable.wallNanos / (double) memory.wallNanos);
      System.out.printf(
          Locale.ROOT, "BENCH engine.durable_transitions_per_s %.0f per_s%n", perSecond);
      System.out.printf(
          Locale.ROOT, "BENCH engine.durable_transitions_per_s_needed %.1f per_s%n", needed);
    }
  }

  static DurableComparison runDurableComparison(int n) throws IOException {
    Providers pm = new Providers(n);
    EngineRun memory = runEngine(n, new HeapWatcher(), pm, new Counted(pm.journal), true);
    System.gc();
    Path dir = Files.createTempDirectory("cutover-engine-durable");
    try {
      Providers pd = new Providers(n);
      HeapWatcher heap = new HeapWatcher();
      try (FileJournal fj =
          FileJournal.builder(dir.resolve("journal")).durability(DurabilityMode.FSYNC).open()) {
        EngineRun durable = runEngine(n, heap, pd, new Counted(fj), true);
        long commits = fj.commits();
        return new DurableComparison(n, memory, durable, heap.peakBytes(), commits, size(dir));
      }
    } finally {
      deleteTree(dir);
    }
  }

  static long size(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }

  /** Counts a journal's appends, blocking and pipelined. */
  static final class Counted implements Journal {
    private final Journal delegate;
    private final AtomicLong appends = new AtomicLong();

    Counted(Journal delegate) {
      this.delegate = delegate;
    }

    long appends() {
      return appends.get();
    }

    @Override
    public CompletableFuture<JournalRecord> appendAsync(JournalRecord record) {
      appends.incrementAndGet();
      return delegate.appendAsync(record);
    }

    @Override
    public JournalRecord append(JournalRecord record) {
      appends.incrementAndGet();
      return delegate.append(record);
    }

    @Override
    public CompletableFuture<Void> releaseLeaseAsync(String service, String rolloutId) {
      return delegate.releaseLeaseAsync(service, rolloutId);
    }

    @Override
    public void replay(long fromSequence, Consumer<JournalRecord> consumer) {
      delegate.replay(fromSequence, consumer);
    }

    @Override
    public List<JournalRecord> records(String rolloutId) {
      return delegate.records(rolloutId);
    }

    @Override
    public boolean tryLease(String service, String rolloutId) {
      return delegate.tryLease(service, rolloutId);
    }

    @Override
    public Optional<String> leaseHolder(String service) {
      return delegate.leaseHolder(service);
    }

    @Override
    public void releaseLease(String service, String rolloutId) {
      delegate.releaseLease(service, rolloutId);
    }

    @Override
    public void close() {}
  }

  // ------------------------------------------------------------------------------------------
  // baseline

  record BaselineRun(long wallNanos, long cpuNanos, int succeeded, int aborted) {}

  /**
   * The design Cutover replaces: one thread per rollout, executing its plan step by step and
   * blocking while it waits. Waits are in the same virtual time: a coordinator advances the clock
   * to the earliest wake-up once every thread is blocked, exactly as the engine's scheduler does.
   */
  static BaselineRun runBaseline(int n) throws InterruptedException {
    Providers p = new Providers(n);
    VirtualClock clock = VirtualClock.create();
    Coordinator time = new Coordinator(clock, n);
    CanaryStrategy strategy = strategy();
    ObjectMapper json = new ObjectMapper();
    AtomicInteger succeeded = new AtomicInteger();
    AtomicInteger aborted = new AtomicInteger();
    List<Thread> threads = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int idx = i;
      Plan plan = strategy.plan(new PlanRequest(p.stable[i], p.target[i], 4));
      threads.add(
          new Thread(
              null,
              () -> {
                try {
                  time.sleep(stagger(idx, n));
                  boolean ok = interpret(plan, "b" + idx, p, clock, time, json);
                  (ok ? succeeded : aborted).incrementAndGet();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                } finally {
                  time.finished();
                }
              },
              "rollout-" + i,
              256 * 1024));
    }
    long c0 = processCpuNanos();
    long t0 = System.nanoTime();
    for (Thread t : threads) {
      t.start();
    }
    time.drive();
    for (Thread t : threads) {
      t.join();
    }
    return new BaselineRun(
        System.nanoTime() - t0, processCpuNanos() - c0, succeeded.get(), aborted.get());
  }

  static boolean interpret(
      Plan plan, String id, Providers p, VirtualClock clock, Coordinator time, ObjectMapper json)
      throws Exception {
    String service = plan.service();
    for (int i = 0; i < plan.steps().size(); i++) {
      Step step = plan.steps().get(i);
      OperationId op = new OperationId(id + "/s" + i + "/" + step.kind());
      journal(
          p,
          json,
          clock,
          id,
          service,
          JournalRecord.Type.INTENT,
          op.value(),
          Map.of("kind", step.kind()));
      if (step instanceof Step.Launch l) {
        p.fleet.launch(op, plan.release(l.releaseId()), l.replicas());
      } else if (step instanceof Step.Scale s) {
        p.fleet.scale(op, plan.release(s.releaseId()), s.replicas());
      } else if (step instanceof Step.Route r) {
        p.router.apply(op, service, r.split(), Map.of());
      } else if (step instanceof Step.Drain d) {
        p.fleet.drain(op, plan.release(d.releaseId()));
        time.sleep(d.period());
      } else if (step instanceof Step.Retire r) {
        p.fleet.retire(op, plan.release(r.releaseId()));
      } else if (step instanceof Step.Verify v) {
        for (int m = 1; m <= v.count(); m++) {
          GateContext gc =
              GateContext.builder()
                  .rolloutId(id)
                  .service(service)
                  .stable(plan.stable())
                  .candidate(plan.target())
                  .windowStart(clock.instant())
                  .now(clock.instant())
                  .measurement(m)
                  .build();
          Verdict verdict = p.gate.evaluate(gc);
          journal(
              p,
              json,
              clock,
              id,
              service,
              JournalRecord.Type.VERDICT,
              null,
              Map.of("gate", "health", "outcome", verdict.outcome().name()));
          if (!verdict.passed()) {
            p.router.apply(
                new OperationId(id + "/r0/route"),
                service,
                TrafficSplit.all(plan.stable().id()),
                Map.of());
            p.fleet.retire(new OperationId(id + "/r1/retire"), plan.target());
            return false;
          }
          if (m < v.count()) {
            time.sleep(v.interval());
          }
        }
      }
      journal(
          p,
          json,
          clock,
          id,
          service,
          JournalRecord.Type.DONE,
          op.value(),
          Map.of("kind", step.kind()));
    }
    return true;
  }

  static void journal(
      Providers p,
      ObjectMapper json,
      VirtualClock clock,
      String id,
      String service,
      JournalRecord.Type type,
      String op,
      Map<String, ?> payload)
      throws Exception {
    p.journal.append(
        JournalRecord.of(clock.instant(), id, service, type, op, json.writeValueAsString(payload)));
  }

  /** Virtual time for blocking threads: the clock advances only when every live thread waits. */
  static final class Coordinator {
    private record Wake(Instant at, long seq, Semaphore permit) {}

    private final VirtualClock clock;
    private final PriorityQueue<Wake> queue =
        new PriorityQueue<>(
            (a, b) -> a.at.equals(b.at) ? Long.compare(a.seq, b.seq) : a.at.compareTo(b.at));
    private int running;
    private int live;
    private long seq;

    Coordinator(VirtualClock clock, int threads) {
      this.clock = clock;
      this.running = threads;
      this.live = threads;
    }

    void sleep(Duration d) throws InterruptedException {
      Semaphore permit = new Semaphore(0);
      synchronized (this) {
        queue.add(new Wake(clock.instant().plus(d), seq++, permit));
        running--;
        notifyAll();
      }
      permit.acquire();
    }

    synchronized void finished() {
      running--;
      live--;
      notifyAll();
    }

    void drive() throws InterruptedException {
      for (; ; ) {
        List<Semaphore> wake = new ArrayList<>();
        synchronized (this) {
          while (running > 0) {
            wait();
          }
          if (live == 0 || queue.isEmpty()) {
            return;
          }
          Instant at = queue.peek().at;
          if (at.isAfter(clock.instant())) {
            clock.advance(Duration.between(clock.instant(), at));
          }
          while (!queue.isEmpty() && queue.peek().at.equals(at)) {
            wake.add(queue.poll().permit);
          }
          running += wake.size();
        }
        for (Semaphore s : wake) {
          s.release();
        }
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // providers

  /**
   * Minimal providers shared by both runs: no recording, so the measurement is the execution model.
   */
  static final class Providers {
    final Release[] stable;
    final Release[] target;
    final BenchFleet fleet = new BenchFleet();
    final BenchRouter router;
    final BenchGate gate;
    final CountingJournal journal = new CountingJournal();

    Providers(int n) {
      stable = new Release[n];
      target = new Release[n];
      Map<String, Integer> index = new HashMap<>();
      for (int i = 0; i < n; i++) {
        String service = "svc-" + i;
        stable[i] =
            Release.of(
                service, new ArtifactRef("bench/" + service, Digest.sha256(service + ":v1")));
        target[i] =
            Release.of(
                service, new ArtifactRef("bench/" + service, Digest.sha256(service + ":v2")));
        index.put(service, i);
      }
      AtomicLongArray failedAt = new AtomicLongArray(n);
      gate = new BenchGate(index, failedAt);
      router = new BenchRouter(index, failedAt, stable);
    }
  }

  static final class BenchFleet implements Fleet {
    private final Map<String, List<Instance>> byRelease = new ConcurrentHashMap<>();

    @Override
    public List<Instance> launch(OperationId op, Release release, int replicas) {
      return scale(op, release, replicas);
    }

    @Override
    public List<Instance> scale(OperationId op, Release release, int replicas) {
      List<Instance> list = new ArrayList<>(replicas);
      for (int i = 0; i < replicas; i++) {
        list.add(
            new Instance(
                release.id() + "-" + i,
                release.id(),
                URI.create("http://127.0.0.1:" + (20000 + i)),
                InstanceState.READY,
                release.artifact().digest()));
      }
      byRelease.put(release.id(), list);
      return list;
    }

    @Override
    public void drain(OperationId op, Release release) {}

    @Override
    public void retire(OperationId op, Release release) {
      byRelease.remove(release.id());
    }

    @Override
    public List<Instance> instances(String service) {
      return List.of();
    }
  }

  static final class BenchRouter implements Router {
    final Histogram reaction = new Histogram(3_600_000_000_000L, 3);
    private final Map<String, TrafficSplit> current = new ConcurrentHashMap<>();
    private final Map<String, Integer> index;
    private final AtomicLongArray failedAt;
    private final Release[] stable;

    BenchRouter(Map<String, Integer> index, AtomicLongArray failedAt, Release[] stable) {
      this.index = index;
      this.failedAt = failedAt;
      this.stable = stable;
    }

    @Override
    public void apply(
        OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
      int i = index.get(service);
      long failed = failedAt.get(i);
      if (failed != 0 && split.weight(stable[i].id()) == TrafficSplit.TOTAL) {
        synchronized (reaction) {
          reaction.recordValue(Math.max(0, System.nanoTime() - failed));
        }
        failedAt.set(i, 0);
      }
      current.put(service, split);
    }

    @Override
    public Optional<TrafficSplit> current(String service) {
      return Optional.ofNullable(current.get(service));
    }
  }

  static final class BenchGate implements HealthGate {
    final AtomicLong evaluations = new AtomicLong();
    private final Map<String, Integer> index;
    private final AtomicLongArray failedAt;
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    BenchGate(Map<String, Integer> index, AtomicLongArray failedAt) {
      this.index = index;
      this.failedAt = failedAt;
    }

    @Override
    public String name() {
      return "health";
    }

    @Override
    public Verdict evaluate(GateContext context) {
      evaluations.incrementAndGet();
      int i = index.get(context.service());
      int k =
          counts.computeIfAbsent(context.rolloutId(), x -> new AtomicInteger()).incrementAndGet();
      if (i % 10 == 0 && k == FAIL_AT_EVALUATION) {
        failedAt.set(i, System.nanoTime());
        return Verdict.fail("error rate 6 %");
      }
      return Verdict.pass();
    }
  }

  /** Counts appends and discards them (after the engine serialized them); keeps leases. */
  static final class CountingJournal implements Journal {
    final AtomicLong appends = new AtomicLong();
    private final Map<String, String> leases = new ConcurrentHashMap<>();

    @Override
    public JournalRecord append(JournalRecord record) {
      return record.withSequence(appends.incrementAndGet());
    }

    @Override
    public void replay(long fromSequence, Consumer<JournalRecord> consumer) {}

    @Override
    public List<JournalRecord> records(String rolloutId) {
      return List.of();
    }

    @Override
    public boolean tryLease(String service, String rolloutId) {
      return leases.computeIfAbsent(service, k -> rolloutId).equals(rolloutId);
    }

    @Override
    public Optional<String> leaseHolder(String service) {
      return Optional.ofNullable(leases.get(service));
    }

    @Override
    public void releaseLease(String service, String rolloutId) {
      leases.remove(service, rolloutId);
    }

    @Override
    public void close() {}
  }

  /**
   * Peak live heap: the heap in use right after a full collection, sampled between slices of the
   * run.
   */
  static final class HeapWatcher {
    private long peak;

    void reset() {
      peak = 0;
    }

    void sample() {
      System.gc();
      peak = Math.max(peak, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }

    long peakBytes() {
      return peak;
    }
  }
}
