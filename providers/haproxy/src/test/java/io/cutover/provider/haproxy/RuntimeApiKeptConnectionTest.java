// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.samples.HaproxyProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RuntimeApi} with a kept connection against a real HAProxy 2.6 started here in
 * master-worker mode with {@code expose-fd listeners} (Debian's packaged set-up, where a reload
 * keeps the socket file and hands it to the new worker).
 */
@Timeout(60)
class RuntimeApiKeptConnectionTest {
  private static final Pattern PID = Pattern.compile("\nPid: (\\d+)\n");
  private static final Pattern CUM_CONNS = Pattern.compile("\nCumConns: (\\d+)\n");

  @TempDir Path dir;
  Process haproxy;
  Path socket;

  void start(String statsTimeout, boolean masterWorker) throws Exception {
    Path binary = LocalFixture.requireBinary(HaproxyProcess.binary(), "haproxy", "haproxy");
    socket = dir.resolve("h.sock");
    Path cfg = dir.resolve("h.cfg");
    Files.writeString(
        cfg,
        "global\n"
            + "  stats socket "
            + socket
            + " mode 600 level admin expose-fd listeners\n"
            + "  stats timeout "
            + statsTimeout
            + "\n"
            + "defaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n"
            + "  timeout server 5s\n"
            + "backend be\n  balance roundrobin\n  server a 127.0.0.1:9 weight 10\n");
    haproxy =
        new ProcessBuilder(
                masterWorker
                    ? java.util.List.of(binary.toString(), "-W", "-db", "-f", cfg.toString())
                    : java.util.List.of(binary.toString(), "-db", "-f", cfg.toString()))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("haproxy.log").toFile())
            .start();
    for (int i = 0; i < 200 && !Files.exists(socket); i++) {
      TimeUnit.MILLISECONDS.sleep(25);
    }
    new RuntimeApi(socket).execute("show info"); // ready
  }

  @AfterEach
  void stop() throws Exception {
    if (haproxy != null) {
      haproxy.destroy();
      if (!haproxy.waitFor(10, TimeUnit.SECONDS)) {
        haproxy.destroyForcibly();
      }
    }
  }

  /**
   * Ends every session HAProxy lists, from connections of their own: the kept one among them.
   * (HAProxy 2.6 does not always arm its stats timeout on an interactive session that sent {@code
   * prompt} and a command in one write, so waiting for the timeout is not a reliable way to get the
   * kept connection closed; {@code shutdown session} is.)
   */
  void shutdownAllSessions() {
    List<String> ids =
        new RuntimeApi(socket)
            .execute("show sess")
            .lines()
            .filter(l -> l.startsWith("0x"))
            .map(l -> l.substring(0, l.indexOf(':')))
            .toList();
    assertThat(ids).as("the kept session and the asking one").hasSizeGreaterThanOrEqualTo(2);
    for (String id : ids) {
      new RuntimeApi(socket).execute("shutdown session " + id);
    }
    // 'shutdown session' only marks the session: HAProxy closes its socket when the session is
    // released, which on a loaded machine can come after the next command was written to it (seen
    // in a parallel build: "closed the connection before answering"). Wait until the asking
    // connection's own session is the only one listed (ids are addresses, so they can be reused).
    for (int i = 0; i < 200; i++) {
      if (new RuntimeApi(socket)
              .execute("show sess")
              .lines()
              .filter(l -> l.startsWith("0x"))
              .count()
          == 1) {
        return;
      }
      try {
        TimeUnit.MILLISECONDS.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
    throw new AssertionError("HAProxy still lists sessions other than the asking one after 5 s");
  }

  static long field(Pattern p, String info) {
    Matcher m = p.matcher(info);
    assertThat(m.find()).as("%s in %s", p, info).isTrue();
    return Long.parseLong(m.group(1));
  }

  static int weightOfA(String state) {
    return state
        .lines()
        .filter(l -> l.startsWith("2 be 1 a "))
        .map(l -> Integer.parseInt(l.split(" ")[7]))
        .findFirst()
        .orElseThrow();
  }

  @Test
  @DisplayName(
      "answers like a connection per call, and HAProxy accepts one connection for many calls")
  void reusesOneConnection() throws Exception {
    start("10s", true);
    RuntimeApi oneShot = new RuntimeApi(socket);
    try (RuntimeApi kept = new RuntimeApi(socket, RuntimeApi.DEFAULT_IDLE_TIMEOUT, true)) {
      String batch = "set server be/a weight 20;show servers state be";
      String expected = oneShot.execute(batch);
      assertThat(kept.execute(batch)).isEqualTo(expected);
      assertThat(kept.execute("set server be/nope weight 3;set server be/a weight 4"))
          .isEqualTo("No such server.\n\n\n");
      long before = field(CUM_CONNS, kept.execute("show info"));
      for (int i = 0; i < 5; i++) {
        kept.execute("set server be/a weight " + (30 + i));
      }
      long after = field(CUM_CONNS, kept.execute("show info"));
      assertThat(after).isEqualTo(before);
      assertThat(weightOfA(oneShot.execute("show servers state be"))).isEqualTo(34);
      // The same calls with a connection each are seen by HAProxy as new connections.
      oneShot.execute("show info");
      assertThat(field(CUM_CONNS, oneShot.execute("show info"))).isGreaterThan(after + 1);
      assertThat(kept.keepsConnection()).isTrue();
    }
  }

  @Test
  @DisplayName(
      "after a master-worker reload the batch reaches the new worker, not the stopping one that holds the kept connection")
  void followsReload() throws Exception {
    start("10s", true);
    try (RuntimeApi kept = new RuntimeApi(socket, RuntimeApi.DEFAULT_IDLE_TIMEOUT, true)) {
      long oldPid = field(PID, kept.execute("show info"));
      reload(oldPid);
      long newPid = field(PID, new RuntimeApi(socket).execute("show info"));
      assertThat(newPid).isNotEqualTo(oldPid);

      String answer = kept.execute("set server be/a weight 77;show servers state be");
      assertThat(weightOfA(answer)).isEqualTo(77);
      assertThat(weightOfA(new RuntimeApi(socket).execute("show servers state be"))).isEqualTo(77);
      assertThat(field(PID, kept.execute("show info"))).isEqualTo(newPid);
    }
  }

  @Test
  @DisplayName("a kept connection HAProxy has closed is replaced without an error")
  void reconnectsAfterHaproxyClosedIt() throws Exception {
    start("10s", false);
    try (RuntimeApi kept = new RuntimeApi(socket, RuntimeApi.DEFAULT_IDLE_TIMEOUT, true)) {
      kept.execute("show info");
      shutdownAllSessions();
      long before = field(CUM_CONNS, new RuntimeApi(socket).execute("show info"));
      String answer = kept.execute("set server be/a weight 9;show servers state be");
      assertThat(weightOfA(answer)).isEqualTo(9);
      // One new connection: the kept one was replaced, and the batch was not lost with the old one.
      assertThat(field(CUM_CONNS, kept.execute("show info"))).isEqualTo(before + 1);
    }
  }

  @Test
  @DisplayName("commands that would change the session never go over the kept connection")
  void sessionCommandsGetTheirOwnConnection() throws Exception {
    start("10s", true);
    try (RuntimeApi kept = new RuntimeApi(socket, Duration.ofSeconds(5), true)) {
      long before = field(CUM_CONNS, kept.execute("show info"));
      // 'user' lowers the level of the session it runs in; on the kept one, later admin commands
      // would fail.
      kept.execute("user");
      kept.execute("set server be/a weight 12");
      assertThat(weightOfA(kept.execute("show servers state be"))).isEqualTo(12);
      assertThat(field(CUM_CONNS, kept.execute("show info"))).isEqualTo(before + 1);
    }
  }

  /**
   * Reloads the master-worker HAProxy with SIGUSR2 and waits for a new worker that stays. A master
   * that has just started can lose the signal (it installs its handlers after forking the worker
   * and logging "Loading success": seen on a loaded machine, where the reload never happened), so
   * the signal is sent again every 2 s until a new worker answers; the new worker must then stay
   * the one answering for 500 ms, so a late second reload cannot happen after this returns.
   */
  private void reload(long oldWorker) throws IOException, InterruptedException {
    RuntimeApi fresh = new RuntimeApi(socket);
    long newWorker = -1;
    long stableSince = 0;
    for (int i = 0; i < 400; i++) {
      if (newWorker < 0 && i % 80 == 0) {
        Process kill =
            new ProcessBuilder("kill", "-USR2", Long.toString(haproxy.pid())).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
      }
      try {
        long pid = field(PID, fresh.execute("show info"));
        if (pid != oldWorker && pid == newWorker) {
          if (System.nanoTime() - stableSince >= TimeUnit.MILLISECONDS.toNanos(500)) {
            return;
          }
        } else if (pid != oldWorker) {
          newWorker = pid;
          stableSince = System.nanoTime();
        }
      } catch (io.cutover.api.ProviderException e) {
        // Socket between workers: try again.
      }
      TimeUnit.MILLISECONDS.sleep(25);
    }
    throw new AssertionError("HAProxy did not reload within 10 s (SIGUSR2 sent every 2 s)");
  }
}
