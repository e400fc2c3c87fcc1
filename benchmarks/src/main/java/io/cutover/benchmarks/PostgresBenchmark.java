// SPDX-License-Identifier: Apache-2.0
package io.cutover.benchmarks;

import io.cutover.api.InvalidSpecException;
import io.cutover.testfixtures.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The scale-out benchmark of issue 13 (engine replicas on PostgreSQL), on a private PostgreSQL
 * started for the run ({@link PostgresServer}).
 *
 * <p><b>Kill -9 campaign</b> ({@link PostgresKillCampaign}): three engine replicas in child JVMs
 * share the journal; one that owns running rollouts is killed with {@code kill -9} at a seeded
 * random point of each run, and the others must take every one of its rollouts over and finish it.
 *
 * <ul>
 *   <li>{@code postgres.kill_points}: kill -9 signals delivered (one per run).
 *   <li>{@code postgres.takeovers}: running rollouts orphaned by the kills and taken over.
 *   <li>{@code postgres.takeover_p50} / {@code postgres.takeover_p99}: kill to the new owner's
 *       first journal record for the rollout, by the database's clock, in ms; the target is at most
 *       lease TTL + 1 s. Baseline of the same run: {@code postgres.lease_ttl_ms} and {@code
 *       postgres.heartbeat_ms}, the configured TTL and heartbeat (a takeover cannot beat the TTL
 *       left at the kill).
 *   <li>{@code postgres.duplicate_effects}: operations applied twice in the recorded world.
 *   <li>{@code postgres.reissued_effects}: effects the new owners issued again with the same
 *       operation id (the in-flight window), answered idempotently by the world.
 *   <li>{@code postgres.lost_rollouts}: rollouts of the scenarios that never ended.
 *   <li>{@code postgres.corrupt_journals}: runs whose hash chain did not verify.
 *   <li>{@code postgres.failed_runs}: runs with any finding (wrong outcome, duplicate, lost,
 *       corrupt, traffic to a stopped instance, a lease left behind, an orphan never taken over).
 * </ul>
 *
 * <p>Run with {@code ./benchmarks/run postgres [key=value ...]}; keys of the kill campaign: {@code
 * kill_points} (default 50), {@code seed} (1), {@code lease_ttl_ms} (2000), {@code heartbeat_ms}
 * (500), {@code services} (4), {@code rollouts} (rollouts per service, 2), {@code
 * max_kill_delay_ms} (2500). Takes about 8 s per kill point on a 2-core machine (three JVM starts
 * each). Work directories are kept under {@code java.io.tmpdir} when a run fails.
 */
public final class PostgresBenchmark {
  private PostgresBenchmark() {}

  /** The arguments of {@link #killCampaign}. */
  static final Set<String> KILL_KEYS =
      Set.of(
          "kill_points",
          "seed",
          "lease_ttl_ms",
          "heartbeat_ms",
          "services",
          "rollouts",
          "max_kill_delay_ms");

  public static void main(String[] args) throws Exception {
    // Every part's keys, so that a typo fails at once instead of running the defaults for minutes.
    Set<String> known = new TreeSet<>(KILL_KEYS);
    // ---- PostgresThroughput's keys are added here.
    known.addAll(PostgresThroughput.KEYS);
    Options options = Options.parse(args, known);

    killCampaign(options);

    // ---- Throughput and command latency (PostgresThroughput: postgres.durable_appends,
    // ---- postgres.vs_file_journal, postgres.command_latency_p99) are called from here, in their
    // ---- own method, reading their keys from the same Options.
    PostgresThroughput.run(options);
  }

  /** The kill -9 campaign and its figures. */
  static void killCampaign(Options options) throws IOException {
    Duration ttl = Duration.ofMillis(options.number("lease_ttl_ms", 2000));
    Duration heartbeat = Duration.ofMillis(options.number("heartbeat_ms", 500));
    Path dir = Files.createTempDirectory("cutover-pgkill-");
    PostgresKillCampaign.Report report;
    try (PostgresServer server = PostgresServer.start()) {
      report =
          PostgresKillCampaign.builder(server.jdbcUrl(), server.user(), dir)
              .killPoints((int) options.number("kill_points", 50))
              .seed(options.number("seed", 1))
              .leaseTtl(ttl)
              .heartbeat(heartbeat)
              .services((int) options.number("services", 4))
              .rolloutsPerService((int) options.number("rollouts", 2))
              .maxKillDelay(Duration.ofMillis(options.number("max_kill_delay_ms", 2500)))
              .progress(line -> System.err.println("pgkill: " + line))
              .build()
              .run();
    }
    System.out.println("BENCH postgres.kill_points " + report.points() + " count");
    System.out.println("BENCH postgres.takeovers " + report.takeovers().size() + " count");
    System.out.println(
        "BENCH postgres.takeover_p50 " + report.takeoverQuantile(0.50).toMillis() + " ms");
    System.out.println(
        "BENCH postgres.takeover_p99 " + report.takeoverQuantile(0.99).toMillis() + " ms");
    System.out.println("BENCH postgres.lease_ttl_ms " + ttl.toMillis() + " ms");
    System.out.println("BENCH postgres.heartbeat_ms " + heartbeat.toMillis() + " ms");
    System.out.println("BENCH postgres.duplicate_effects " + report.duplicateEffects() + " count");
    System.out.println("BENCH postgres.reissued_effects " + report.reissuedEffects() + " count");
    System.out.println("BENCH postgres.lost_rollouts " + report.lostRollouts() + " count");
    System.out.println("BENCH postgres.corrupt_journals " + report.corruptJournals() + " count");
    System.out.println("BENCH postgres.failed_runs " + report.failures().size() + " count");
    System.err.println(report.describe());
    if (report.failures().isEmpty()) {
      deleteTree(dir);
    } else {
      System.err.println("pgkill: work directories kept in " + dir);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * The benchmark's {@code key=value} arguments; each part reads its own keys with its defaults.
   */
  static final class Options {
    private final Map<String, String> values;

    private Options(Map<String, String> values) {
      this.values = values;
    }

    /**
     * Parses {@code key=value} arguments.
     *
     * @throws InvalidSpecException for an argument that is not key=value or a key not in {@code
     *     known}
     */
    static Options parse(String[] args, Set<String> known) {
      Map<String, String> m = new LinkedHashMap<>();
      for (String a : args) {
        int eq = a.indexOf('=');
        if (eq < 1) {
          throw new InvalidSpecException(
              "argument", "'" + a + "' is not key=value", "use e.g. kill_points=50 seed=1");
        }
        String key = a.substring(0, eq);
        if (!known.contains(key)) {
          throw new InvalidSpecException(
              "argument", "'" + key + "' is not a key of this benchmark", "use one of " + known);
        }
        m.put(key, a.substring(eq + 1));
      }
      return new Options(m);
    }

    /** The number under {@code key}, or {@code fallback}. */
    long number(String key, long fallback) {
      String v = values.get(key);
      if (v == null) {
        return fallback;
      }
      try {
        return Long.parseLong(v);
      } catch (NumberFormatException e) {
        throw new InvalidSpecException(key, "is '" + v + "', not a whole number", "use e.g. 50");
      }
    }
  }
}
