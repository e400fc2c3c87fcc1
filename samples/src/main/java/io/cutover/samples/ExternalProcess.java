// SPDX-License-Identifier: Apache-2.0
package io.cutover.samples;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A server binary run as a child process on this machine (HAProxy for the demo; NGINX, a registry
 * or Prometheus for the integration tests): found on the {@code PATH} or in {@code /usr/sbin} and
 * {@code /usr/bin}, started with its output appended to a log file, polled until ready, and stopped
 * by its pid. The one copy of that life cycle that every private server of the demo and the tests
 * uses.
 *
 * <p>Not thread-safe; {@link #close} may be called more than once.
 */
public final class ExternalProcess implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(20);
  private static final long STOP_SECONDS = 5;

  /** Whether the server is ready yet; an exception means "not yet" (a refused connection, say). */
  @FunctionalInterface
  public interface ReadyCheck {
    /** True once the server serves. */
    boolean ready() throws Exception;
  }

  private final String name;
  private final Process process;
  private final Path log;

  private ExternalProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * The executable {@code name} on the {@code PATH}, or in {@code /usr/sbin} or {@code /usr/bin},
   * if installed.
   */
  public static Optional<Path> find(String name) {
    String path =
        System.getenv().getOrDefault("PATH", "")
            + File.pathSeparator
            + "/usr/sbin"
            + File.pathSeparator
            + "/usr/bin";
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, name);
      if (!dir.isEmpty() && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /**
   * Starts {@code command} (its first word is the binary) with standard output and error appended
   * to {@code log}.
   *
   * @throws IOException if it cannot be started
   */
  public static ExternalProcess start(List<String> command, Path log) throws IOException {
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new ExternalProcess(Path.of(command.get(0)).getFileName().toString(), p, log);
  }

  /**
   * Polls {@code check} every 20 ms on {@code scheduler} until it is true; the calling thread
   * waits.
   *
   * @param what what ready means, for the error message (e.g. "its admin socket answers")
   * @param timeout how long it may take, measured by {@code clock}
   * @throws IllegalStateException if the process exits first (naming its log) or is not ready in
   *     time; the process is stopped then
   */
  public void awaitReady(
      String what,
      Duration timeout,
      ReadyCheck check,
      ScheduledExecutorService scheduler,
      InstantSource clock) {
    Instant deadline = clock.instant().plus(timeout);
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Runnable[] poll = new Runnable[1];
    poll[0] =
        () -> {
          if (!process.isAlive()) {
            ready.completeExceptionally(
                new IllegalStateException(
                    name
                        + " exited with "
                        + process.exitValue()
                        + " before "
                        + what
                        + "; see "
                        + log));
          } else if (passes(check)) {
            ready.complete(null);
          } else if (!clock.instant().isBefore(deadline)) {
            ready.completeExceptionally(
                new IllegalStateException(
                    name
                        + " (pid "
                        + pid()
                        + ") not ready in "
                        + timeout.toMillis()
                        + " ms: "
                        + what
                        + " did not happen; see "
                        + log));
          } else {
            scheduler.schedule(poll[0], POLL.toMillis(), TimeUnit.MILLISECONDS);
          }
        };
    scheduler.execute(poll[0]);
    try {
      // The clock decides the deadline; this bound only guards against a scheduler that never runs.
      ready.get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      close();
      throw (RuntimeException) e.getCause();
    } catch (TimeoutException e) {
      close();
      throw new IllegalStateException(name + ": the scheduler never ran the readiness check", e);
    } catch (InterruptedException e) {
      close();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting " + name, e);
    }
  }

  private static boolean passes(ReadyCheck check) {
    try {
      return check.ready();
    } catch (Exception notYet) {
      return false;
    }
  }

  /** The process id. */
  public long pid() {
    return process.pid();
  }

  /** Whether it still runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** Its log file. */
  public Path log() {
    return log;
  }

  /**
   * Stops it: SIGTERM, SIGKILL after 5 s, then any of its descendants still alive (NGINX workers),
   * and waits for it.
   */
  @Override
  public void close() {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(STOP_SECONDS, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
