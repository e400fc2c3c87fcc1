// SPDX-License-Identifier: Apache-2.0
package io.cutover.benchmarks;

import io.cutover.api.Release;
import io.cutover.api.RolloutConflictException;
import io.cutover.core.Cutover;
import io.cutover.core.Rollout;
import io.cutover.provider.postgres.PostgresJournal;
import io.cutover.provider.postgres.ReplicaJournal;
import io.cutover.spi.PlanRequest;
import io.cutover.testkit.crash.CrashScenario;
import io.cutover.testkit.crash.RecordingWorld;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One engine replica of a {@link PostgresKillCampaign}, in its own JVM: a {@link Cutover} on a
 * {@link ReplicaJournal} (the shared PostgreSQL journal) and a {@linkplain
 * RecordingWorld#openShared shared recorded world}, judging releases with the scenario's gate. It
 * takes rollouts over from dead replicas on its own (the journal's heartbeat does); it starts
 * rollouts when the campaign, in the role of the platform calling the deployment service, tells it
 * to on standard input.
 *
 * <p>Standard input, one command a line: {@code START <service> <label> <stableLabel>} starts the
 * rollout of release {@code label} from {@code stableLabel} ({@link CrashScenario#release}); {@code
 * EXIT} closes the engine and the journal (releasing leases) and exits 0. Standard output, protocol
 * lines starting with {@value #PREFIX}: {@code READY <replica>} once the engine is built, {@code
 * STARTED <service> <label> <rolloutId>}, {@code CONFLICT <service> <label> <message>} (the service
 * is leased to a rollout: try again later), {@code FAILED <service> <label> <message>}.
 *
 * <p>Usage: {@code java -cp <benchmarks class path> io.cutover.benchmarks.PostgresKillChild
 * <jdbcUrl> <user> <schema> <replica> <effectsFile> <scenario> <leaseTtlMillis> <heartbeatMillis>}.
 */
public final class PostgresKillChild {
  /** The prefix of protocol lines. */
  public static final String PREFIX = "PGKILL ";

  private final PrintStream out;

  private PostgresKillChild(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 8) {
      System.err.println(
          "usage: PostgresKillChild <jdbcUrl> <user> <schema> <replica> <effectsFile> <scenario>"
              + " <leaseTtlMillis> <heartbeatMillis>");
      System.exit(2);
    }
    CrashScenario scenario = CrashScenario.parse(args[5]);
    PostgresKillChild child = new PostgresKillChild(System.out);
    PostgresJournal pg =
        PostgresJournal.builder(args[0])
            .user(args[1])
            .schema(args[2])
            .poolSize(4)
            .replica(args[3], "kill campaign replica " + args[3])
            .leaseTtl(Duration.ofMillis(Long.parseLong(args[6])))
            .heartbeat(Duration.ofMillis(Long.parseLong(args[7])))
            .connectTimeout(Duration.ofSeconds(30))
            .open();
    ReplicaJournal journal = ReplicaJournal.of(pg);
    RecordingWorld world = RecordingWorld.openShared(Path.of(args[4]));
    Cutover cutover =
        Cutover.builder()
            .allowUnverifiedArtifacts()
            .journal(journal)
            .fleet(world.fleet())
            .router(world.router())
            .gate(scenario.gate())
            .build();
    child.say("READY " + args[3]);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] w = line.strip().split(" ");
      if (w[0].equals("EXIT")) {
        cutover.close();
        journal.close();
        world.close();
        System.out.flush();
        Runtime.getRuntime().halt(0);
      } else if (w[0].equals("START") && w.length == 4) {
        child.start(cutover, scenario, w[1], w[2], w[3]);
      } else {
        child.say("FAILED ? ? unknown command: " + line);
      }
    }
    // The campaign went away without saying EXIT: nothing to finish cleanly for.
    Runtime.getRuntime().halt(1);
  }

  private void start(
      Cutover cutover, CrashScenario scenario, String service, String label, String stableLabel) {
    Release next = CrashScenario.release(service, label);
    Release stable = CrashScenario.release(service, stableLabel);
    try {
      // A replica knows the stable release only of the rollouts it ran itself: the platform says.
      cutover.adopt(stable, scenario.replicas());
      Rollout r =
          cutover.start(
              scenario.strategy().plan(new PlanRequest(stable, next, scenario.replicas())));
      say("STARTED " + service + " " + label + " " + r.id());
    } catch (RolloutConflictException e) {
      say("CONFLICT " + service + " " + label + " " + oneLine(e.getMessage()));
    } catch (RuntimeException e) {
      say(
          "FAILED "
              + service
              + " "
              + label
              + " "
              + e.getClass().getSimpleName()
              + ": "
              + oneLine(String.valueOf(e.getMessage())));
    }
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
