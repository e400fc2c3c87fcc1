// SPDX-License-Identifier: Apache-2.0
package io.cutover.testfixtures;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A private PostgreSQL (the Debian {@code postgresql} package, 15 here) on 127.0.0.1 with a free
 * port and a temp dir, as TESTING.md describes: PostgreSQL refuses to run as root, so the cluster
 * is created once per JVM with {@code initdb} as the {@code postgres} user (a template), and each
 * server copies the template and runs {@code postgres} under {@code setpriv} (ready in well under a
 * second). Trust authentication for user {@code test}; {@code fsync=off} unless asked otherwise.
 *
 * <p>{@link #restart()} stops the server (fast shutdown: clients are disconnected) and starts it
 * again on the same port and data, for connection-loss tests; {@link #stop()} and {@link
 * #startAgain()} do the same with an outage as long as the test wants in between. {@link #close()}
 * stops it and deletes its directory.
 *
 * <p>The binaries missing: skipped with a notice, or a failure under {@code CI=true} ({@link
 * Binaries}).
 */
public final class PostgresServer implements AutoCloseable {
  private static final Duration READY = Duration.ofSeconds(60);
  private static @Nullable Path template;

  private final Path bin;
  private final Path dir;
  private final boolean fsync;
  private final int port;
  private @Nullable Process process;

  private PostgresServer(Path bin, Path dir, boolean fsync, int port) {
    this.bin = bin;
    this.dir = dir;
    this.fsync = fsync;
    this.port = port;
  }

  /** Starts a server with {@code fsync=off} (tests). */
  public static PostgresServer start() throws IOException {
    return start(false);
  }

  /**
   * Starts a server.
   *
   * @param fsync whether commits are forced to disk (benchmarks of durable appends)
   */
  public static PostgresServer start(boolean fsync) throws IOException {
    Path bin = requireBinaries();
    Path tpl = template(bin);
    IllegalStateException last = null;
    for (int attempt = 1; attempt <= 3; attempt++) {
      Path dir = Files.createTempDirectory("cutover-pg");
      run(List.of("cp", "-a", tpl.resolve("data").toString(), dir.resolve("data").toString()));
      chownToPostgres(dir);
      PostgresServer s = new PostgresServer(bin, dir, fsync, Fixtures.freePort());
      try {
        s.launch();
        return s;
      } catch (IllegalStateException e) {
        last = e;
        boolean portTaken = s.log().contains("could not bind");
        s.deleteDir();
        if (!portTaken) {
          break;
        }
      }
    }
    throw new IllegalStateException("postgres did not start", last);
  }

  /** The directory holding {@code postgres}, {@code initdb} (or a skip / CI failure). */
  public static Path requireBinaries() {
    Optional<Path> found = Optional.empty();
    Path root = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        found =
            versions
                .map(v -> v.resolve("bin"))
                .filter(b -> Files.isExecutable(b.resolve("postgres")))
                .max(Comparator.comparing(PostgresServer::versionOf));
      } catch (IOException e) {
        found = Optional.empty();
      }
    }
    return Binaries.require(found.map(b -> b.resolve("postgres")), "postgres", "postgresql")
        .resolveSibling("");
  }

  /** 15 for /usr/lib/postgresql/15/bin. */
  private static int versionOf(Path bin) {
    Path parent = bin.getParent();
    Path version = parent == null ? null : parent.getFileName();
    try {
      return version == null ? 0 : Integer.parseInt(version.toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static synchronized Path template(Path bin) throws IOException {
    if (template != null) {
      return template;
    }
    Path t = Files.createTempDirectory("cutover-pg-template");
    chownToPostgres(t);
    run(
        asPostgres(
            List.of(
                bin.resolve("initdb").toString(),
                "-D",
                t.resolve("data").toString(),
                "-U",
                "test",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C")));
    Path tpl = t;
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> deleteTree(tpl), "postgres-template-cleanup"));
    template = t;
    return t;
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static List<String> asPostgres(List<String> command) {
    if (!isRoot()) {
      return command;
    }
    List<String> c =
        new ArrayList<>(
            List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"));
    c.addAll(command);
    return c;
  }

  private static void chownToPostgres(Path dir) throws IOException {
    if (isRoot()) {
      run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
    }
  }

  private static void run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + command, e);
    }
  }

  private void launch() throws IOException {
    Path log = dir.resolve("postgres.log");
    List<String> cmd =
        asPostgres(
            List.of(
                bin.resolve("postgres").toString(),
                "-D",
                dir.resolve("data").toString(),
                "-p",
                Integer.toString(port),
                "-k",
                dir.toString(),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=" + (fsync ? "on" : "off"),
                "-c",
                "synchronous_commit=" + (fsync ? "on" : "off"),
                "-c",
                "full_page_writes=" + (fsync ? "on" : "off"),
                "-c",
                "max_connections=200",
                "-c",
                "shared_buffers=32MB"));
    process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    long deadline = System.nanoTime() + READY.toNanos();
    while (System.nanoTime() < deadline) {
      Process p = process;
      if (p == null || !p.isAlive()) {
        throw new IllegalStateException("postgres exited before it was ready; log: " + log());
      }
      if (log().contains("ready to accept connections") && accepts()) {
        return;
      }
      sleep(20);
    }
    stopProcess();
    throw new IllegalStateException(
        "postgres not ready in " + READY.toSeconds() + " s; log: " + log());
  }

  private boolean accepts() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("postgres.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** The port it listens on. */
  public int port() {
    return port;
  }

  /** The server's pid (changes with {@link #restart()}). */
  public long pid() {
    Process p = process;
    return p == null ? -1 : p.pid();
  }

  /** A JDBC URL of the {@code postgres} database (user {@code test}, no password). */
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  /** The user to connect as. */
  public String user() {
    return "test";
  }

  /**
   * Stops the server with a fast shutdown (every client is disconnected) and starts it again on the
   * same port and data, waiting until it accepts connections.
   */
  public synchronized void restart() throws IOException {
    stop();
    startAgain();
  }

  /**
   * Stops the server with a fast shutdown (every client is disconnected), keeping its port and data
   * for {@link #startAgain()}: a database outage of any length.
   */
  public synchronized void stop() {
    stopProcess();
  }

  /**
   * Starts a server stopped by {@link #stop()} again on the same port and data, waiting until it
   * accepts connections.
   */
  public synchronized void startAgain() throws IOException {
    // The port stays ours for a moment after the old server exits; retry a lost bind briefly.
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      try {
        launch();
        return;
      } catch (IllegalStateException e) {
        last = e;
        sleep(250);
      }
    }
    throw new IllegalStateException("postgres did not restart", last);
  }

  private void stopProcess() {
    Process p = process;
    if (p == null) {
      return;
    }
    try {
      // SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for every client to leave.
      new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      p.destroyForcibly();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private void deleteDir() {
    deleteTree(dir);
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e);
    }
  }

  /** Stops the server and deletes its directory. */
  @Override
  public synchronized void close() {
    stopProcess();
    deleteDir();
  }
}
