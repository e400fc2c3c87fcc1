// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.crash;

import io.cutover.api.InvalidSpecException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Kills real engine processes with {@code kill -9} at random instants and checks that every rollout
 * still ends as it must.
 *
 * <p>Each <em>run</em> gets a fresh directory and a random {@link CrashScenario}. The campaign
 * starts a {@link CrashChild} JVM on it, waits until the child is about to open its journal, lets
 * it work for a random delay (seeded; a quarter of the kills aim at journal opening and recovery,
 * the rest at the rollouts once the engine has resumed), then kills it with {@link
 * Process#destroyForcibly()} (SIGKILL on Linux: no shutdown hook, no finally block, no flush). It
 * restarts the child, which reopens the journal and lets the engine resume, and repeats until the
 * run has its share of kill points; then it lets the child finish the scenario and judges the
 * directory: every rollout ended with the outcome its release deserves (good releases SUCCEEDED,
 * bad ones ABORTED with 100 % of the traffic on stable), no operation was applied twice, no traffic
 * ever reached a stopped instance, each rollout's traffic only moved forward until its rollback,
 * and nothing is left running but the final stable release. Runs repeat until the campaign has its
 * number of kill points.
 *
 * <pre>{@code
 * CrashReport report = CrashCampaign.builder(workDir).seed(42).killPoints(200).build().run();
 * assertThat(report.correct()).isEqualTo(report.points());
 * }</pre>
 *
 * <p>The journal uses small segments by default (4 KiB), so segment rolls and compactions happen
 * during the campaign and some kills land in them.
 *
 * <p><b>Platform.</b> Linux or another POSIX system: a kill is told from a child that finished on
 * its own just before the signal by its exit status, 137 (128 + SIGKILL).
 *
 * <p><b>Threading.</b> {@link #run()} blocks the calling thread (one reader thread per child drains
 * its output); a campaign is not meant to be shared.
 *
 * <p><b>Errors.</b> {@link InvalidSpecException} from the builder for out-of-range options; {@link
 * UncheckedIOException} if a child cannot be started or its directory written; {@link
 * IllegalStateException} if the calling thread is interrupted.
 */
public final class CrashCampaign {
  private static final String EOF = "\u0000eof";

  /** The exit status of a process killed by SIGKILL, as Java reports it on Linux (128 + 9). */
  private static final int SIGKILLED = 137;

  private final Builder b;

  private CrashCampaign(Builder b) {
    this.b = b;
  }

  /**
   * A builder for a campaign working in {@code directory} (created if needed; runs go to
   * subdirectories).
   */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** Runs runs until {@code killPoints} kills were delivered, and reports. */
  public CrashReport run() {
    Instant begin = b.clock.instant();
    Random rng = new Random(b.seed);
    List<CrashReport.Run> runs = new ArrayList<>();
    int points = 0;
    // a child that always finishes before its kill would never add points: bound the number of runs
    int maxRuns = 4 * b.killPoints + 4;
    while (points < b.killPoints && runs.size() < maxRuns) {
      CrashReport.Run r =
          runOne("run-", runs.size(), rng, Math.min(b.killsPerRun, b.killPoints - points));
      runs.add(r);
      points += r.kills();
      b.progress.accept(
          "run "
              + r.index()
              + ": "
              + r.kills()
              + " kills, "
              + r.starts()
              + " starts, "
              + (r.correct() ? "correct" : r.problems().size() + " problems")
              + " ("
              + points
              + "/"
              + b.killPoints
              + ")");
    }
    int correct = 0;
    int duplicates = 0;
    int corrupt = 0;
    int reissues = 0;
    for (CrashReport.Run r : runs) {
      correct += r.correct() ? r.kills() : 0;
      duplicates += r.duplicates();
      corrupt += r.corrupt() ? 1 : 0;
      reissues += r.reissues();
    }
    return new CrashReport(
        points,
        correct,
        duplicates,
        corrupt,
        reissues,
        runs,
        Duration.between(begin, b.clock.instant()));
  }

  /**
   * Runs {@code runs} scenarios without killing anything, through the same children and checks: the
   * baseline that shows the check accepts an uninterrupted run here, and how long a run takes
   * unharmed. Its report has 0 points; {@link CrashReport.Run#correct()} tells each run's verdict.
   */
  public CrashReport baseline(int runs) {
    if (runs < 1) {
      throw new InvalidSpecException("runs", "is " + runs, "use 1 or more");
    }
    Instant begin = b.clock.instant();
    Random rng = new Random(~b.seed);
    List<CrashReport.Run> out = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      CrashReport.Run r = runOne("baseline-", i, rng, 0);
      out.add(r);
      b.progress.accept(
          "baseline run "
              + i
              + ": "
              + (r.correct() ? "correct" : r.problems().size() + " problems"));
    }
    int duplicates = out.stream().mapToInt(CrashReport.Run::duplicates).sum();
    int corrupt = (int) out.stream().filter(CrashReport.Run::corrupt).count();
    int reissues = out.stream().mapToInt(CrashReport.Run::reissues).sum();
    return new CrashReport(
        0, 0, duplicates, corrupt, reissues, out, Duration.between(begin, b.clock.instant()));
  }

  private CrashReport.Run runOne(String prefix, int index, Random rng, int killsWanted) {
    Path dir = b.directory.resolve(prefix + index);
    CrashScenario scenario =
        CrashScenario.random(rng, b.services, b.rolloutsPerService, b.tick, b.replicas);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    List<String> problems = new ArrayList<>();
    boolean corrupt = false;
    int kills = 0;
    int starts = 0;
    while (true) {
      starts++;
      Child child = Child.start(command(dir, scenario), dir.resolve("child-" + starts + ".log"));
      if (!child.await("OPENING", b.startTimeout, b.clock)) {
        child.kill();
        problems.add(
            "child "
                + starts
                + " did not reach OPENING within "
                + b.startTimeout
                + ": "
                + child.tail());
        break;
      }
      if (kills < killsWanted) {
        // A quarter of the kills aim at opening and recovery (journal open, torn-tail truncation,
        // finishing an
        // interrupted compaction, resume); the rest at the rollouts, counted from the engine's
        // first breath.
        boolean early = rng.nextInt(4) == 0;
        long bound = early ? b.maxKillDelay.toMillis() / 3 : b.maxKillDelay.toMillis();
        long delay = rng.nextLong(bound + 1);
        boolean alive = early || child.await("RESUMED", b.startTimeout, b.clock);
        if (alive && !child.waitFor(Duration.ofMillis(delay))) {
          child.kill();
          // a child that exited on its own just before the signal was not killed: judge its exit
          // below
          if (child.exitCode() == SIGKILLED) {
            kills++;
            continue;
          }
        }
      }
      if (!child.waitFor(b.runTimeout)) {
        child.kill();
        problems.add(
            "child " + starts + " did not finish within " + b.runTimeout + ": " + child.tail());
        break;
      }
      int code = child.exitCode();
      if (code == CrashChild.EXIT_DONE && child.saw("DONE")) {
        break;
      }
      if (code == CrashChild.EXIT_CORRUPT) {
        corrupt = true;
        problems.add("child " + starts + " found the journal corrupted: " + child.line("CORRUPT"));
      } else {
        problems.add("child " + starts + " exited with status " + code + ": " + child.tail());
      }
      break;
    }
    int duplicates = 0;
    int reissues = 0;
    if (problems.isEmpty()) {
      EndStateCheck.Result result = EndStateCheck.check(dir, scenario);
      problems.addAll(result.problems());
      corrupt |= result.corrupt();
      duplicates = result.duplicates();
      reissues = result.reissues();
    } else {
      RecordedWorld world = RecordedWorld.of(EffectLog.read(dir.resolve("effects.log")));
      duplicates = world.duplicates();
      reissues = world.reissues();
    }
    return new CrashReport.Run(
        index, dir, scenario, kills, starts, corrupt, duplicates, reissues, problems);
  }

  private List<String> command(Path dir, CrashScenario scenario) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(b.javaOptions);
    cmd.add("-cp");
    cmd.add(b.classpath);
    cmd.add(CrashChild.class.getName());
    cmd.add(dir.toString());
    cmd.add(scenario.encode());
    cmd.add(Long.toString(b.segmentBytes));
    return cmd;
  }

  /** One child process and the thread that drains its output into a log file. */
  private static final class Child {
    private final Process process;
    private final Thread reader;
    private final BlockingQueue<String> protocol = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final List<String> tail = new ArrayList<>();

    private Child(Process process, Path log) {
      this.process = process;
      this.reader = new Thread(() -> drain(log), "crash-child-reader");
      reader.setDaemon(true);
      reader.start();
    }

    static Child start(List<String> command, Path log) {
      try {
        return new Child(new ProcessBuilder(command).redirectErrorStream(true).start(), log);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + command, e);
      }
    }

    private void drain(Path log) {
      try (BufferedReader in =
              new BufferedReader(
                  new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
          Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
        String line;
        while ((line = in.readLine()) != null) {
          out.write(line);
          out.write('\n');
          synchronized (this) {
            tail.add(line);
            if (tail.size() > 12) {
              tail.remove(0);
            }
          }
          if (line.startsWith(CrashChild.PREFIX)) {
            String p = line.substring(CrashChild.PREFIX.length());
            synchronized (this) {
              seen.add(p);
            }
            protocol.add(p);
          }
        }
      } catch (IOException e) {
        // the child died mid-line or the log cannot be written: what was read is what there is
      } finally {
        protocol.add(EOF);
      }
    }

    /**
     * Waits for a protocol line starting with {@code word}; false at end of output or after {@code
     * timeout}.
     */
    boolean await(String word, Duration timeout, InstantSource clock) {
      Instant deadline = clock.instant().plus(timeout);
      return uninterrupted(
          () -> {
            while (true) {
              long left = Math.max(0, Duration.between(clock.instant(), deadline).toNanos());
              String line = protocol.poll(left, TimeUnit.NANOSECONDS);
              if (line == null || line.equals(EOF)) {
                return false;
              }
              if (line.startsWith(word)) {
                return true;
              }
            }
          });
    }

    boolean waitFor(Duration d) {
      return uninterrupted(() -> process.waitFor(d.toNanos(), TimeUnit.NANOSECONDS));
    }

    void kill() {
      process.destroyForcibly();
      exitCode();
    }

    int exitCode() {
      return uninterrupted(
          () -> {
            int code = process.waitFor();
            reader.join();
            return code;
          });
    }

    private static <T> T uninterrupted(Waiting<T> wait) {
      try {
        return wait.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the crash child", e);
      }
    }

    /** A wait that may be interrupted. */
    private interface Waiting<T> {
      T get() throws InterruptedException;
    }

    synchronized boolean saw(String word) {
      return seen.stream().anyMatch(s -> s.startsWith(word));
    }

    synchronized @Nullable String line(String word) {
      return seen.stream().filter(s -> s.startsWith(word)).findFirst().orElse(null);
    }

    synchronized String tail() {
      return String.join(" | ", tail);
    }
  }

  /**
   * Configures a {@link CrashCampaign}. Every option has a default; each validates its value. Not
   * thread-safe.
   */
  public static final class Builder {
    private final Path directory;
    private long seed = 1;
    private int killPoints = 200;
    private int killsPerRun = 5;
    private int services = 2;
    private int rolloutsPerService = 3;
    private Duration tick = Duration.ofMillis(100);
    private int replicas = 4;
    private Duration maxKillDelay = Duration.ofMillis(1500);
    private long segmentBytes = 4096;
    private String classpath = System.getProperty("java.class.path");
    private List<String> javaOptions =
        List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m");
    private Duration startTimeout = Duration.ofSeconds(60);
    private Duration runTimeout = Duration.ofMinutes(2);
    private InstantSource clock = InstantSource.system();
    private Consumer<String> progress = s -> {};

    private Builder(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
    }

    /** Seed of every random choice (scenarios, kill delays); default 1. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** How many kill -9 signals to deliver in all; default 200. */
    public Builder killPoints(int n) {
      this.killPoints = atLeast(n, 1, "killPoints");
      return this;
    }

    /** Kills per run before the run may finish; default 5. */
    public Builder killsPerRun(int n) {
      this.killsPerRun = atLeast(n, 1, "killsPerRun");
      return this;
    }

    /** Services per scenario, rolled out side by side; default 2. */
    public Builder services(int n) {
      this.services = atLeast(n, 1, "services");
      return this;
    }

    /** Rollouts per service and scenario; default 3. */
    public Builder rolloutsPerService(int n) {
      this.rolloutsPerService = atLeast(n, 1, "rolloutsPerService");
      return this;
    }

    /** The canary's time unit (see {@link CrashScenario}); default 100 ms. */
    public Builder tick(Duration tick) {
      this.tick = positive(tick, "tick");
      return this;
    }

    /** Instances per service; default 4. */
    public Builder replicas(int n) {
      this.replicas = atLeast(n, 1, "replicas");
      return this;
    }

    /**
     * A child is killed after a uniform random delay in [0, this] once its engine has resumed (or
     * in [0, this / 3] from opening its journal, for one kill in four); default 1.5 s.
     */
    public Builder maxKillDelay(Duration d) {
      this.maxKillDelay = positive(d, "maxKillDelay");
      return this;
    }

    /**
     * The journal's segment size; default 4 KiB, so segments roll and compact during the campaign.
     */
    public Builder segmentBytes(long bytes) {
      if (bytes < 4096) {
        throw new InvalidSpecException("segmentBytes", "is " + bytes, "use 4096 or more");
      }
      this.segmentBytes = bytes;
      return this;
    }

    /** The children's class path; default this JVM's {@code java.class.path}. */
    public Builder classpath(String classpath) {
      if (classpath.isBlank()) {
        throw new InvalidSpecException(
            "classpath", "is blank", "give the class path holding cutover-testkit");
      }
      this.classpath = classpath;
      return this;
    }

    /** JVM options of the children; default a quick-starting client-like JVM. */
    public Builder javaOptions(List<String> options) {
      this.javaOptions = List.copyOf(options);
      return this;
    }

    /** How long a child may take to reach the point where it opens its journal; default 60 s. */
    public Builder startTimeout(Duration d) {
      this.startTimeout = positive(d, "startTimeout");
      return this;
    }

    /** How long the last child of a run may take to finish the scenario; default 2 min. */
    public Builder runTimeout(Duration d) {
      this.runTimeout = positive(d, "runTimeout");
      return this;
    }

    /** The clock that measures the campaign's elapsed time; default the system clock. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Receives one line per finished run. */
    public Builder progress(Consumer<String> progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    /** The campaign. */
    public CrashCampaign build() {
      return new CrashCampaign(this);
    }

    private static int atLeast(int n, int min, String field) {
      if (n < min) {
        throw new InvalidSpecException(field, "is " + n, "use " + min + " or more");
      }
      return n;
    }

    private static Duration positive(Duration d, String field) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new InvalidSpecException(field, "is " + d, "use a positive duration");
      }
      return d;
    }
  }
}
