// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.crash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.api.Instance;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.core.Cutover;
import io.cutover.core.Rollout;
import io.cutover.core.journal.FileJournal;
import io.cutover.core.journal.JournalCorruptedException;
import io.cutover.core.journal.RolloutSummary;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.OperationId;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The process a crash campaign kills: it opens the {@link FileJournal} (durable mode) and the
 * {@link RecordingWorld} in a directory, builds an engine with them (which resumes every rollout
 * the previous process left open), waits for those, then starts each rollout of its {@link
 * CrashScenario} that the journal has not seen yet, services side by side, and exits when all have
 * ended. It uses the real system clock and the engine's default scheduler and executors, like a
 * production embedding.
 *
 * <p>Started any number of times on the same directory (killed in between at any instant), it
 * drives the scenario to its end exactly once. It prints protocol lines starting with {@value
 * #PREFIX} on standard output: {@code OPENING} before the journal opens, {@code RESUMED n}, {@code
 * STARTED id label}, {@code ENDED id state}, and finally {@code DONE}; {@code CORRUPT message} if
 * the journal refuses to open ({@link JournalCorruptedException}), {@code FAILED message} on any
 * other error.
 *
 * <p>Usage: {@code java -cp <classpath> io.cutover.testkit.crash.CrashChild <directory> <scenario>
 * [segmentBytes]} where the scenario is {@link CrashScenario#encode()}'s form. Exit status: {@value
 * #EXIT_DONE} done, {@value #EXIT_CORRUPT} corrupted journal, {@value #EXIT_FAILED} anything else.
 */
public final class CrashChild {
  /** The prefix of protocol lines. */
  public static final String PREFIX = "CRASHCHILD ";

  /** Exit status when every rollout of the scenario has ended. */
  public static final int EXIT_DONE = 0;

  /** Exit status when the process failed otherwise. */
  public static final int EXIT_FAILED = 1;

  /** Exit status when the journal refused to open as corrupted. */
  public static final int EXIT_CORRUPT = 3;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path directory;
  private final CrashScenario scenario;
  private final long segmentBytes;
  private final PrintStream out;

  private CrashChild(Path directory, CrashScenario scenario, long segmentBytes, PrintStream out) {
    this.directory = directory;
    this.scenario = scenario;
    this.segmentBytes = segmentBytes;
    this.out = out;
  }

  /** Runs the scenario in a directory and exits with the status. */
  public static void main(String[] args) {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: CrashChild <directory> <scenario> [segmentBytes]");
      System.exit(2);
    }
    long segment = args.length == 3 ? Long.parseLong(args[2]) : FileJournal.DEFAULT_SEGMENT_SIZE;
    int status = run(Path.of(args[0]), CrashScenario.parse(args[1]), segment, System.out);
    System.out.flush();
    // halt, not exit: a clean shutdown is not what is under test, and daemon threads need no
    // goodbye
    Runtime.getRuntime().halt(status);
  }

  /**
   * Runs the scenario in {@code directory} until every rollout has ended (in this process or an
   * earlier one), printing protocol lines to {@code out}.
   *
   * @return {@link #EXIT_DONE}, {@link #EXIT_CORRUPT} or {@link #EXIT_FAILED}
   */
  public static int run(
      Path directory, CrashScenario scenario, long segmentBytes, PrintStream out) {
    return new CrashChild(directory, scenario, segmentBytes, out).run();
  }

  private int run() {
    say("OPENING");
    FileJournal journal;
    try {
      journal = FileJournal.builder(directory.resolve("journal")).segmentSize(segmentBytes).open();
    } catch (JournalCorruptedException e) {
      say("CORRUPT " + oneLine(String.valueOf(e.getMessage())));
      return EXIT_CORRUPT;
    }
    ExecutorService drivers =
        Executors.newFixedThreadPool(
            scenario.services().size(),
            r -> {
              Thread t = new Thread(r, "crash-driver");
              t.setDaemon(true);
              return t;
            });
    try (RecordingWorld world = RecordingWorld.open(directory.resolve("effects.log"));
        Cutover cutover =
            Cutover.builder()
                .allowUnverifiedArtifacts()
                .journal(journal)
                .fleet(world.fleet())
                .router(world.router())
                .gate(scenario.gate())
                .build()) {
      say("RESUMED " + cutover.activeRollouts().size());
      List<CompletableFuture<Void>> all = new ArrayList<>();
      for (String service : scenario.services().keySet()) {
        all.add(CompletableFuture.runAsync(() -> drive(service, cutover, journal, world), drivers));
      }
      CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).join();
      say("DONE");
      return EXIT_DONE;
    } catch (CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      say(
          "FAILED "
              + cause.getClass().getSimpleName()
              + ": "
              + oneLine(String.valueOf(cause.getMessage())));
      cause.printStackTrace(out);
      return EXIT_FAILED;
    } catch (RuntimeException e) {
      say(
          "FAILED "
              + e.getClass().getSimpleName()
              + ": "
              + oneLine(String.valueOf(e.getMessage())));
      e.printStackTrace(out);
      return EXIT_FAILED;
    } finally {
      drivers.shutdownNow();
      journal.close();
    }
  }

  /** Waits for the service's resumed rollout, then starts each rollout the journal has not seen. */
  private void drive(String service, Cutover cutover, FileJournal journal, RecordingWorld world) {
    for (Rollout r : cutover.activeRollouts()) {
      if (r.plan().service().equals(service)) {
        say("WAITING " + r.id() + " " + r.plan().target().label());
        RolloutStatus st = r.completion().toCompletableFuture().join();
        say("ENDED " + r.id() + " " + st.state());
      }
    }
    Set<String> started = startedTargets(journal, service);
    if (started.isEmpty() && cutover.stable(service).isEmpty()) {
      setUp(service, cutover, world);
    } else if (cutover.stable(service).isEmpty()) {
      say(
          "WARN the engine knows no stable release of "
              + service
              + " although the journal holds its rollouts");
    }
    for (Release next : scenario.rollouts(service)) {
      if (started.contains(next.id())) {
        continue;
      }
      // Deploys do not chain instantly in real life: an engine restarted now finds the service
      // idle.
      CompletableFuture.runAsync(
              () -> {},
              CompletableFuture.delayedExecutor(scenario.gap().toNanos(), TimeUnit.NANOSECONDS))
          .join();
      Rollout r = cutover.deploy(scenario.strategy(), next, scenario.replicas());
      say("STARTED " + r.id() + " " + next.label());
      RolloutStatus st = r.completion().toCompletableFuture().join();
      say("ENDED " + r.id() + " " + st.state());
    }
  }

  /**
   * Launches and routes {@code v1} (idempotent: a repeat after a crash changes nothing) and adopts
   * it.
   */
  private void setUp(String service, Cutover cutover, RecordingWorld world) {
    Release v1 = scenario.initial(service);
    List<Instance> list =
        world
            .fleet()
            .launch(new OperationId("setup-" + service + "/launch"), v1, scenario.replicas());
    world
        .router()
        .apply(
            new OperationId("setup-" + service + "/route"),
            service,
            TrafficSplit.all(v1.id()),
            Map.of(v1.id(), list));
    cutover.adopt(v1, scenario.replicas());
    say("ADOPTED " + v1.id());
  }

  /** Targets of every rollout of the service the journal knows: ended (history) or not. */
  private static Set<String> startedTargets(FileJournal journal, String service) {
    Set<String> out = new HashSet<>();
    for (RolloutSummary s : journal.history(service)) {
      if (s.target() != null) {
        out.add(s.target());
      }
    }
    journal.replay(
        0,
        r -> {
          if (r.type() == JournalRecord.Type.CREATED && r.service().equals(service)) {
            try {
              JsonNode target = JSON.readTree(r.payload()).path("target");
              if (target.isTextual()) {
                out.add(target.asText());
              }
            } catch (IOException e) {
              throw new IllegalStateException("CREATED record " + r.sequence() + " is not JSON", e);
            }
          }
        });
    return out;
  }

  private void say(String line) {
    synchronized (out) {
      out.println(PREFIX + line);
      out.flush();
    }
  }

  private static String oneLine(String s) {
    return s.replace('\n', ' ').replace('\r', ' ');
  }
}
