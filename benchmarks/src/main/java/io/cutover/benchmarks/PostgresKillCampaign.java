// SPDX-License-Identifier: Apache-2.0
package io.cutover.benchmarks;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.provider.postgres.PostgresJournal;
import io.cutover.provider.postgres.ReplicaJournal;
import io.cutover.provider.postgres.RolloutHistory;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.OperationId;
import io.cutover.testkit.crash.CrashScenario;
import io.cutover.testkit.crash.EffectLog;
import io.cutover.testkit.crash.RecordingWorld;
import io.cutover.testkit.crash.WorldCheck;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The kill -9 campaign of the scale-out issue: engine replicas in child JVMs ({@link
 * PostgresKillChild}) share one PostgreSQL journal and one recorded world; the campaign, in the
 * role of the platform, starts each service's rollouts one after the other, round-robin on the live
 * replicas; after a seeded random delay it kills with {@code kill -9} one replica that owns running
 * rollouts, and the others must take every one of them over and finish it. Each run is one kill
 * point on a fresh schema and a fresh world; it is judged when every rollout of its scenario ended:
 *
 * <ul>
 *   <li><b>Takeover time</b> of each orphaned rollout (open, leased to the victim at the kill):
 *       from the kill to the first record the new owner journaled for it, both read from the
 *       <em>database's</em> clock ({@code clock_timestamp()} read just before the signal, and the
 *       record's {@code written_at}), the clock the leases expire by; the kill instant is taken
 *       before the signal, so the figure errs long, never short. It includes the lease TTL left at
 *       the kill, the wait for a survivor's heartbeat, the takeover itself (reading the rollout
 *       back from the journal, listing the fleet and the router) and the rollout's wait for its
 *       next step if it was in a pause or between analyses (at most two scenario ticks).
 *   <li><b>Lost rollouts</b>: rollouts of the scenario that never ended (never started, or started
 *       and never finished), and orphans nobody took over.
 *   <li><b>Wrong outcomes</b>: a rollout whose outcome is not what its release deserves (bad
 *       releases abort, good ones succeed), in the wrong order, or from the wrong stable release; a
 *       service lease left behind.
 *   <li><b>Duplicate effects</b>: operations applied twice in the recorded world ({@link
 *       WorldCheck}, which also checks traffic only moves forward, no traffic reaches a stopped
 *       instance, and the world is settled after each rollout). <b>Re-issued effects</b> are
 *       counted apart: an effect whose INTENT the victim journaled may have been applied just
 *       before the kill, and its new owner issues it again with the same operation id; the world
 *       answers it without acting (the documented in-flight window, covered by idempotency).
 *   <li><b>Corrupt journals</b>: runs whose hash chain does not verify.
 * </ul>
 *
 * <p><b>Threading.</b> {@link #run()} blocks the calling thread (one reader thread per child); a
 * campaign is not meant to be shared.
 *
 * <p><b>Errors.</b> {@link InvalidSpecException} from the builder for out-of-range options; {@link
 * UncheckedIOException} if a child cannot be started or a directory written; {@link
 * ProviderException} if the database cannot be reached.
 */
public final class PostgresKillCampaign {
  private static final String EOF = "\u0000eof";

  private final Builder b;

  private PostgresKillCampaign(Builder b) {
    this.b = b;
  }

  /** A builder for a campaign on the database at {@code jdbcUrl}, working in {@code directory}. */
  public static Builder builder(String jdbcUrl, String user, Path directory) {
    return new Builder(jdbcUrl, user, directory);
  }

  /** Runs runs until {@code killPoints} kills were delivered (or too many runs had none). */
  public Report run() {
    long begin = System.nanoTime();
    Random rng = new Random(b.seed);
    List<Run> runs = new ArrayList<>();
    int points = 0;
    int maxRuns = 2 * b.killPoints + 2;
    while (points < b.killPoints && runs.size() < maxRuns) {
      Run r = runOne(runs.size(), rng);
      runs.add(r);
      points += r.killed() ? 1 : 0;
      b.progress.accept(r.summary() + " (" + points + "/" + b.killPoints + ")");
    }
    return new Report(b.leaseTtl, b.heartbeat, runs, Duration.ofNanos(System.nanoTime() - begin));
  }

  // ------------------------------------------------------------------------------------- one run

  /** A service's rollouts, started one after the other by the campaign. */
  private static final class Lane {
    final String service;
    final List<Release> releases;
    int next;
    Release stable;
    @Nullable Child startingOn;
    @Nullable String rolloutId;
    long notBefore;
    int attempts;

    Lane(String service, List<Release> releases, Release stable) {
      this.service = service;
      this.releases = releases;
      this.stable = stable;
    }

    boolean done() {
      return next >= releases.size();
    }

    Release target() {
      return releases.get(next);
    }
  }

  private Run runOne(int index, Random rng) {
    Path dir = b.directory.resolve("run-" + index);
    String schema = "kill_" + Long.toHexString(b.seed) + "_" + index + "_" + System.nanoTime();
    CrashScenario scenario =
        CrashScenario.random(rng, b.services, b.rolloutsPerService, b.tick, b.instances);
    long killDelay = (long) (rng.nextDouble() * b.maxKillDelay.toMillis());
    Path effects = dir.resolve("effects.log");
    List<String> problems = new ArrayList<>();
    List<Child> children = new ArrayList<>();
    Kill kill = null;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    try (PostgresJournal observer = journal(schema, "campaign").open()) {
      // The observer created the schema: the children only find it.
      List<Lane> lanes = new ArrayList<>();
      try (RecordingWorld world = RecordingWorld.openShared(effects)) {
        for (String service : scenario.services().keySet()) {
          setUp(world, scenario, service);
          lanes.add(new Lane(service, scenario.rollouts(service), scenario.initial(service)));
        }
      }
      for (int i = 0; i < b.replicas; i++) {
        children.add(Child.start(command(schema, "r" + i, effects, scenario), dir, "r" + i));
      }
      for (Child c : children) {
        if (!c.await("READY", b.startTimeout)) {
          problems.add("replica " + c.replica + " did not get ready: " + c.tail());
        }
      }
      if (problems.isEmpty()) {
        kill = drive(observer, scenario, lanes, children, killDelay, rng, problems);
      }
      return judge(index, dir, schema, scenario, observer, effects, kill, problems);
    } finally {
      for (Child c : children) {
        c.exit();
      }
    }
  }

  /**
   * What a kill did.
   *
   * @param orphans running rollouts the victim owned, to be taken over and timed
   * @param others rollouts the victim held a lease on that had ended (the takeover only releases
   *     their leases) or were not journaled yet (the victim died starting them: the campaign starts
   *     them again elsewhere once the takeover released their leases)
   */
  private record Kill(String victim, Instant at, List<String> orphans, int others) {}

  /**
   * Starts the rollouts lane by lane and kills a replica once; returns the kill, or null if no
   * replica owned a rollout after the delay before the scenario ended.
   */
  private @Nullable Kill drive(
      PostgresJournal observer,
      CrashScenario scenario,
      List<Lane> lanes,
      List<Child> children,
      long killDelay,
      Random rng,
      List<String> problems) {
    long start = System.nanoTime();
    long killAt = start + TimeUnit.MILLISECONDS.toNanos(killDelay);
    long deadline = start + b.runTimeout.toNanos();
    Kill kill = null;
    int turn = 0;
    while (lanes.stream().anyMatch(l -> !l.done())) {
      long now = System.nanoTime();
      if (now > deadline) {
        problems.add(
            "the scenario did not finish within "
                + b.runTimeout
                + "; lanes: "
                + lanes.stream().map(l -> l.service + "@" + l.next + "/" + l.rolloutId).toList());
        break;
      }
      for (Child c : children) {
        for (String line = c.poll(); line != null; line = c.poll()) {
          onLine(c, line, lanes, problems);
        }
      }
      for (Lane lane : lanes) {
        if (lane.done()) {
          continue;
        }
        if (lane.startingOn != null && !lane.startingOn.alive()) {
          // Its replica was killed before answering: started (and taken over) or not at all.
          lane.rolloutId = createdRollout(observer, lane.service, lane.target());
          lane.startingOn = null;
          lane.notBefore = now + TimeUnit.MILLISECONDS.toNanos(100);
        }
        if (lane.rolloutId != null) {
          if (ended(observer, lane.rolloutId) && observer.leaseHolder(lane.service).isEmpty()) {
            if (!scenario.isBad(lane.target().id())) {
              lane.stable = lane.target();
            }
            lane.next++;
            lane.rolloutId = null;
            lane.attempts = 0;
            lane.notBefore = now + scenario.gap().toNanos();
          }
        } else if (lane.startingOn == null && now >= lane.notBefore) {
          List<Child> live = children.stream().filter(Child::alive).toList();
          if (live.isEmpty()) {
            problems.add("no replica is alive");
            return kill;
          }
          if (++lane.attempts > 200) {
            problems.add(lane.service + ": " + lane.target().label() + " could not be started");
            return kill;
          }
          Child on = live.get(turn++ % live.size());
          lane.startingOn = on;
          on.send(
              "START " + lane.service + " " + lane.target().label() + " " + lane.stable.label());
        }
      }
      if (kill == null && now >= killAt) {
        kill = tryKill(observer, children, rng);
      }
      sleep(20);
    }
    return kill;
  }

  private void onLine(Child c, String line, List<Lane> lanes, List<String> problems) {
    String[] w = line.split(" ", 4);
    if (w.length < 3) {
      return;
    }
    Lane lane =
        lanes.stream()
            .filter(l -> l.service.equals(w[1]) && !l.done() && l.target().label().equals(w[2]))
            .findFirst()
            .orElse(null);
    if (!c.alive()) {
      return; // killed after answering: the lane learns from the journal what became of its start
    }
    if (lane == null || lane.startingOn != c) {
      problems.add("replica " + c.replica + " answered a start nobody waits for: " + line);
      return;
    }
    lane.startingOn = null;
    long retry = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
    switch (w[0]) {
      case "STARTED" -> lane.rolloutId = w.length > 3 ? w[3] : null;
      case "CONFLICT" -> lane.notBefore = retry;
      default -> {
        b.progress.accept("replica " + c.replica + ": " + line);
        lane.notBefore = retry;
      }
    }
  }

  /**
   * Kills, with {@code kill -9}, a live replica that owns running rollouts (journaled, not ended),
   * if one does: every kill point then leaves work to take over.
   */
  private @Nullable Kill tryKill(PostgresJournal observer, List<Child> children, Random rng) {
    List<Child> owners = new ArrayList<>();
    for (Child c : children) {
      if (c.alive()
          && leasedTo(observer, c.replica).stream()
              .anyMatch(id -> !observer.records(id).isEmpty() && !ended(observer, id))) {
        owners.add(c);
      }
    }
    if (owners.isEmpty()) {
      return null;
    }
    Child victim = owners.get(rng.nextInt(owners.size()));
    // The database's clock, read before the signal: the takeover times err long, never short.
    Instant at = dbNow(observer);
    victim.kill();
    List<String> orphans = new ArrayList<>();
    int others = 0;
    for (String id : leasedTo(observer, victim.replica)) {
      if (ended(observer, id) || observer.records(id).isEmpty()) {
        others++;
      } else {
        orphans.add(id);
      }
    }
    return new Kill(victim.replica, at, orphans, others);
  }

  // ------------------------------------------------------------------------------------- judging

  private Run judge(
      int index,
      Path dir,
      String schema,
      CrashScenario scenario,
      PostgresJournal observer,
      Path effects,
      @Nullable Kill kill,
      List<String> problems) {
    // The journal: every rollout of the scenario ended, in order, as its release deserves.
    Map<String, WorldCheck.Rollout> rollouts = new LinkedHashMap<>();
    int lost = 0;
    for (String service : scenario.services().keySet()) {
      List<RolloutHistory> history = observer.history(service);
      List<Release> wanted = scenario.rollouts(service);
      if (history.size() < wanted.size()) {
        lost += wanted.size() - history.size();
        problems.add(
            service + ": " + history.size() + " rollouts ended, expected " + wanted.size());
      } else if (history.size() > wanted.size()) {
        problems.add(
            service + ": " + history.size() + " rollouts ended, expected only " + wanted.size());
      }
      Release stable = scenario.initial(service);
      for (int i = 0; i < Math.min(history.size(), wanted.size()); i++) {
        RolloutHistory h = history.get(i);
        Release target = wanted.get(i);
        boolean bad = scenario.isBad(target.id());
        String where = service + " rollout " + (i + 1) + " (" + h.rolloutId() + ")";
        if (!target.id().equals(h.created().index().get("target"))) {
          problems.add(where + ": deployed " + h.created().index() + " instead of " + target.id());
        }
        if (!stable.id().equals(h.created().index().get("stable"))) {
          problems.add(where + ": started from " + h.created().index() + ", not " + stable.id());
        }
        String outcome = bad ? "aborted" : "succeeded";
        if (!outcome.equals(h.outcome())) {
          problems.add(where + ": ended " + h.ended().index() + ", expected " + outcome);
        }
        rollouts.put(
            h.rolloutId(), new WorldCheck.Rollout(h.rolloutId(), service, target, stable, bad));
        if (!bad) {
          stable = target;
        }
      }
      observer
          .leaseHolder(service)
          .ifPresent(h -> problems.add(service + ": service lease still held by " + h));
    }
    // Takeovers: every orphan has a new owner that journaled for it, and how long that took.
    List<Duration> takeovers = new ArrayList<>();
    if (kill != null) {
      for (String id : kill.orphans()) {
        FirstAppend first = firstAppendAfter(observer, id, kill.victim());
        if (first == null) {
          // (the rollout did not end either: it is counted lost with the scenario's rollouts)
          problems.add("rollout " + id + " of " + kill.victim() + " was never taken over");
        } else {
          takeovers.add(Duration.between(kill.at(), first.at()));
        }
      }
    }
    boolean corrupt = false;
    try {
      observer.verify();
    } catch (ProviderException e) {
      corrupt = true;
      problems.add("journal corrupt: " + e.getMessage());
    }
    WorldCheck.Result world = WorldCheck.check(EffectLog.read(effects), scenario, rollouts);
    problems.addAll(world.problems());
    return new Run(
        index,
        dir,
        schema,
        scenario,
        kill == null ? null : kill.victim(),
        kill == null ? 0 : kill.orphans().size() + kill.others(),
        takeovers,
        lost,
        world.duplicates(),
        world.reissues(),
        corrupt,
        problems);
  }

  private record FirstAppend(String replica, Instant at) {}

  private static @Nullable FirstAppend firstAppendAfter(
      PostgresJournal observer, String rolloutId, String victim) {
    try (Connection c = observer.dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT replica, written_at FROM cutover_journal WHERE rollout_id = ?"
                    + " AND replica IS DISTINCT FROM ? ORDER BY seq LIMIT 1")) {
      s.setString(1, rolloutId);
      s.setString(2, victim);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? new FirstAppend(rs.getString(1), rs.getTimestamp(2).toInstant()) : null;
      }
    } catch (SQLException e) {
      throw sql("first append", e);
    }
  }

  // ------------------------------------------------------------------------------------- helpers

  private PostgresJournal.Builder journal(String schema, String replica) {
    return PostgresJournal.builder(b.jdbcUrl)
        .user(b.user)
        .schema(schema)
        .poolSize(2)
        .replica(replica, "kill campaign " + replica)
        .leaseTtl(b.leaseTtl)
        .heartbeat(b.heartbeat)
        .connectTimeout(Duration.ofSeconds(30));
  }

  private List<String> command(String schema, String replica, Path effects, CrashScenario s) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(b.javaOptions);
    cmd.add("-cp");
    cmd.add(b.classpath);
    cmd.add(PostgresKillChild.class.getName());
    cmd.add(b.jdbcUrl);
    cmd.add(b.user);
    cmd.add(schema);
    cmd.add(replica);
    cmd.add(effects.toString());
    cmd.add(s.encode());
    cmd.add(Long.toString(b.leaseTtl.toMillis()));
    cmd.add(Long.toString(b.heartbeat.toMillis()));
    return cmd;
  }

  /** Launches and routes {@code v1} of a service and nothing else: the world before the run. */
  private static void setUp(RecordingWorld world, CrashScenario scenario, String service) {
    Release v1 = scenario.initial(service);
    var list =
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
  }

  private static boolean ended(PostgresJournal journal, String rolloutId) {
    List<JournalRecord> records = journal.records(rolloutId);
    return !records.isEmpty() && records.get(records.size() - 1).type() == JournalRecord.Type.ENDED;
  }

  /** The rollout of {@code target} the journal holds, if one was created. */
  private static @Nullable String createdRollout(
      PostgresJournal journal, String service, Release target) {
    String[] found = new String[1];
    journal.replay(
        0,
        r -> {
          if (r.type() == JournalRecord.Type.CREATED
              && r.service().equals(service)
              && target.id().equals(r.index().get("target"))) {
            found[0] = r.rolloutId();
          }
        });
    return found[0];
  }

  /** The rollouts whose lease {@code replica} holds, by the database (expired or not). */
  private static List<String> leasedTo(PostgresJournal observer, String replica) {
    List<String> out = new ArrayList<>();
    try (Connection c = observer.dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT key FROM cutover_lease WHERE replica = ? AND starts_with(key, ?)"
                    + " ORDER BY key")) {
      s.setString(1, replica);
      s.setString(2, ReplicaJournal.ROLLOUT_KEY_PREFIX);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1).substring(ReplicaJournal.ROLLOUT_KEY_PREFIX.length()));
        }
      }
    } catch (SQLException e) {
      throw sql("leases", e);
    }
    return out;
  }

  private static Instant dbNow(PostgresJournal observer) {
    try (Connection c = observer.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement("SELECT clock_timestamp()");
        ResultSet rs = s.executeQuery()) {
      rs.next();
      Timestamp t = rs.getTimestamp(1);
      return t.toInstant();
    } catch (SQLException e) {
      throw sql("clock", e);
    }
  }

  private static ProviderException sql(String what, SQLException e) {
    return ProviderException.retryable("postgres", what, "query failed: " + e.getMessage(), e);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** One replica's JVM and the thread that drains its output into a log file. */
  private static final class Child {
    final String replica;
    private final Process process;
    private final Writer stdin;
    private final Thread reader;
    private final BlockingQueue<String> protocol = new LinkedBlockingQueue<>();
    private final List<String> tail = new ArrayList<>();
    private volatile boolean killed;

    private Child(String replica, Process process, Path log) {
      this.replica = replica;
      this.process = process;
      this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      this.reader = new Thread(() -> drain(log), "pgkill-reader-" + replica);
      reader.setDaemon(true);
      reader.start();
    }

    static Child start(List<String> command, Path dir, String replica) {
      try {
        return new Child(
            replica,
            new ProcessBuilder(command).redirectErrorStream(true).start(),
            dir.resolve(replica + ".log"));
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
          out.flush();
          synchronized (this) {
            tail.add(line);
            if (tail.size() > 12) {
              tail.remove(0);
            }
          }
          if (line.startsWith(PostgresKillChild.PREFIX)) {
            protocol.add(line.substring(PostgresKillChild.PREFIX.length()));
          }
        }
      } catch (IOException e) {
        // the child died mid-line or the log cannot be written: what was read is what there is
      } finally {
        protocol.add(EOF);
      }
    }

    boolean await(String word, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      try {
        while (true) {
          String line =
              protocol.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          if (line == null || line.equals(EOF)) {
            return false;
          }
          if (line.startsWith(word)) {
            return true;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }

    /** The next protocol line, or null (also at the end of the output). */
    @Nullable String poll() {
      String line = protocol.poll();
      return line == null || line.equals(EOF) ? null : line;
    }

    boolean alive() {
      return !killed && process.isAlive();
    }

    void send(String line) {
      try {
        stdin.write(line + "\n");
        stdin.flush();
      } catch (IOException e) {
        // it died: the campaign notices through alive()
      }
    }

    /** SIGKILL (destroyForcibly on Linux): no shutdown hook, no finally block, no flush. */
    void kill() {
      killed = true;
      process.destroyForcibly();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }

    /** Asks a live child to close its engine and leave; kills it if it does not within 20 s. */
    void exit() {
      if (process.isAlive()) {
        send("EXIT");
        try {
          if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          process.destroyForcibly();
        }
      }
    }

    synchronized String tail() {
      return String.join(" | ", tail);
    }
  }

  // ------------------------------------------------------------------------------------- results

  /**
   * One run: a fresh schema and world, {@code replicas} children, at most one kill.
   *
   * @param index the run's number, from 0
   * @param directory its effect log and the children's logs
   * @param schema its schema in the database
   * @param scenario what it ran
   * @param victim the replica killed, null if none owned a rollout after the delay
   * @param orphans rollouts the victim held a lease on at the kill (running, ended, or being
   *     started)
   * @param takeovers for each orphan that was running, kill to the new owner's first append
   * @param lost rollouts of the scenario that never ended, and orphans never taken over
   * @param duplicates operations applied twice in the recorded world
   * @param reissues effects issued again with the same operation id, answered without acting
   * @param corrupt whether the journal's hash chain failed to verify
   * @param problems every finding; empty when the run is correct
   */
  public record Run(
      int index,
      Path directory,
      String schema,
      CrashScenario scenario,
      @Nullable String victim,
      int orphans,
      List<Duration> takeovers,
      int lost,
      int duplicates,
      int reissues,
      boolean corrupt,
      List<String> problems) {
    /** Copies the lists. */
    public Run {
      takeovers = List.copyOf(takeovers);
      problems = List.copyOf(problems);
    }

    /** Whether a replica was killed in this run. */
    public boolean killed() {
      return victim != null;
    }

    /** Whether nothing went wrong. */
    public boolean correct() {
      return problems.isEmpty();
    }

    String summary() {
      return "run "
          + index
          + " ("
          + scenario.encode()
          + "): "
          + (victim == null ? "no kill" : "killed " + victim + " owning " + orphans)
          + ", takeovers "
          + takeovers.stream().map(Duration::toMillis).toList()
          + " ms, "
          + (correct() ? "correct" : problems.size() + " problems: " + problems.get(0));
    }
  }

  /**
   * What a campaign found.
   *
   * @param leaseTtl the replicas' lease TTL
   * @param heartbeat the replicas' heartbeat interval
   * @param runs every run, in order
   * @param elapsed wall time of the campaign
   */
  public record Report(Duration leaseTtl, Duration heartbeat, List<Run> runs, Duration elapsed) {
    /** Copies the runs. */
    public Report {
      runs = List.copyOf(runs);
    }

    /** Kill -9 signals delivered. */
    public int points() {
      return (int) runs.stream().filter(Run::killed).count();
    }

    /** Every takeover time, in order. */
    public List<Duration> takeovers() {
      return runs.stream().flatMap(r -> r.takeovers().stream()).toList();
    }

    /** The takeover time at quantile {@code q} (nearest rank); zero without takeovers. */
    public Duration takeoverQuantile(double q) {
      List<Duration> sorted = takeovers().stream().sorted().toList();
      if (sorted.isEmpty()) {
        return Duration.ZERO;
      }
      int rank = (int) Math.ceil(q * sorted.size());
      return sorted.get(Math.min(sorted.size() - 1, Math.max(0, rank - 1)));
    }

    /** Operations applied twice, over all runs. */
    public int duplicateEffects() {
      return runs.stream().mapToInt(Run::duplicates).sum();
    }

    /** Effects re-issued with the same operation id and answered idempotently, over all runs. */
    public int reissuedEffects() {
      return runs.stream().mapToInt(Run::reissues).sum();
    }

    /** Rollouts lost, over all runs. */
    public int lostRollouts() {
      return runs.stream().mapToInt(Run::lost).sum();
    }

    /** Runs whose journal did not verify. */
    public int corruptJournals() {
      return (int) runs.stream().filter(Run::corrupt).count();
    }

    /** The runs that went wrong. */
    public List<Run> failures() {
      return runs.stream().filter(r -> !r.correct()).toList();
    }

    /** A multi-line account: totals, then each failed run with its problems. */
    public String describe() {
      StringBuilder sb = new StringBuilder();
      sb.append(points())
          .append(" kill points in ")
          .append(runs.size())
          .append(" runs, ")
          .append(takeovers().size())
          .append(" takeovers (p50 ")
          .append(takeoverQuantile(0.5).toMillis())
          .append(" ms, p99 ")
          .append(takeoverQuantile(0.99).toMillis())
          .append(" ms; TTL ")
          .append(leaseTtl.toMillis())
          .append(" ms, heartbeat ")
          .append(heartbeat.toMillis())
          .append(" ms), ")
          .append(duplicateEffects())
          .append(" duplicate effects, ")
          .append(reissuedEffects())
          .append(" re-issued effects answered idempotently, ")
          .append(lostRollouts())
          .append(" lost rollouts, ")
          .append(corruptJournals())
          .append(" corrupt journals, ")
          .append(failures().size())
          .append(" failed runs, ")
          .append(elapsed.toSeconds())
          .append(" s");
      for (Run r : failures()) {
        sb.append("\nrun ")
            .append(r.index())
            .append(" (")
            .append(r.directory())
            .append(", schema ")
            .append(r.schema())
            .append(", ")
            .append(r.scenario().encode())
            .append(", victim ")
            .append(r.victim())
            .append("):");
        r.problems().stream().limit(20).forEach(p -> sb.append("\n  - ").append(p));
        if (r.problems().size() > 20) {
          sb.append("\n  ... ").append(r.problems().size() - 20).append(" more");
        }
      }
      return sb.toString();
    }
  }

  // ------------------------------------------------------------------------------------- builder

  /**
   * Configures a {@link PostgresKillCampaign}; each option validates its value. Not thread-safe.
   */
  public static final class Builder {
    private final String jdbcUrl;
    private final String user;
    private final Path directory;
    private long seed = 1;
    private int killPoints = 50;
    private int replicas = 3;
    private int services = 4;
    private int rolloutsPerService = 2;
    private int instances = 2;
    private Duration tick = Duration.ofMillis(100);
    private Duration leaseTtl = Duration.ofSeconds(2);
    private Duration heartbeat = Duration.ofMillis(500);
    private Duration maxKillDelay = Duration.ofMillis(2500);
    private String classpath = System.getProperty("java.class.path");
    private List<String> javaOptions =
        List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx192m");
    private Duration startTimeout = Duration.ofSeconds(90);
    private Duration runTimeout = Duration.ofMinutes(2);
    private Consumer<String> progress = s -> {};

    private Builder(String jdbcUrl, String user, Path directory) {
      this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
      this.user = Objects.requireNonNull(user, "user");
      this.directory = Objects.requireNonNull(directory, "directory");
    }

    /** Seed of every random choice (scenarios, kill delays, victims); default 1. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** How many kill -9 signals to deliver, one per run; default 50. */
    public Builder killPoints(int n) {
      this.killPoints = atLeast(n, 1, "killPoints");
      return this;
    }

    /** Engine replicas (child JVMs) per run; default 3. */
    public Builder replicas(int n) {
      this.replicas = atLeast(n, 2, "replicas");
      return this;
    }

    /** Services per scenario, rolled out side by side; default 4. */
    public Builder services(int n) {
      this.services = atLeast(n, 1, "services");
      return this;
    }

    /** Rollouts per service and scenario; default 2. */
    public Builder rolloutsPerService(int n) {
      this.rolloutsPerService = atLeast(n, 1, "rolloutsPerService");
      return this;
    }

    /** Lease TTL of the replicas; default 2 s. */
    public Builder leaseTtl(Duration ttl) {
      this.leaseTtl = positive(ttl, "leaseTtl");
      return this;
    }

    /** Heartbeat interval of the replicas; default 500 ms. */
    public Builder heartbeat(Duration heartbeat) {
      this.heartbeat = positive(heartbeat, "heartbeat");
      return this;
    }

    /** The canary's time unit (see {@link CrashScenario}); default 100 ms. */
    public Builder tick(Duration tick) {
      this.tick = positive(tick, "tick");
      return this;
    }

    /**
     * The kill comes after a uniform random delay in [0, this] from the first start (or as soon
     * after as a replica owns a running rollout); default 2.5 s.
     */
    public Builder maxKillDelay(Duration d) {
      this.maxKillDelay = positive(d, "maxKillDelay");
      return this;
    }

    /** The children's class path (the benchmarks module's); default this JVM's. */
    public Builder classpath(String classpath) {
      if (classpath.isBlank()) {
        throw new InvalidSpecException(
            "classpath", "is blank", "give the class path of cutover-benchmarks");
      }
      this.classpath = classpath;
      return this;
    }

    /** JVM options of the children; default a quick-starting client-like JVM. */
    public Builder javaOptions(List<String> options) {
      this.javaOptions = List.copyOf(options);
      return this;
    }

    /** How long a child may take to build its engine; default 90 s. */
    public Builder startTimeout(Duration d) {
      this.startTimeout = positive(d, "startTimeout");
      return this;
    }

    /** How long a run's scenario may take to end; default 2 min. */
    public Builder runTimeout(Duration d) {
      this.runTimeout = positive(d, "runTimeout");
      return this;
    }

    /** Receives one line per finished run. */
    public Builder progress(Consumer<String> progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    /** The campaign. */
    public PostgresKillCampaign build() {
      if (heartbeat.compareTo(leaseTtl) >= 0) {
        throw new InvalidSpecException(
            "heartbeat",
            "is " + heartbeat + ", not shorter than the lease TTL " + leaseTtl,
            "renew leases several times per TTL, e.g. a heartbeat of TTL / 4");
      }
      return new PostgresKillCampaign(this);
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
