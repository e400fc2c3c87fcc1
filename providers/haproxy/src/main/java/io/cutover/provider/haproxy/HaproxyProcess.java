package io.cutover.provider.haproxy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A private HAProxy for one machine: writes a configuration into a directory (one frontend on
 * 127.0.0.1 and one {@code be_<service>} backend per service, an admin stats socket, retries and
 * redispatch on connection failures), starts {@code haproxy -db} in the foreground, waits for the
 * socket, and stops it by pid. Used by {@code cutover demo --router haproxy} and by the integration
 * tests; production HAProxies are configured and run by their owners, and only the
 * {@link HaproxyRouter} talks to them.
 *
 * <p>Not thread-safe; {@link #close} stops the process.
 */
public final class HaproxyProcess implements AutoCloseable {
  private final Process process;
  private final Path socket;
  private final Path dir;
  private final Map<String, Integer> ports;

  private HaproxyProcess(Process process, Path dir, Path socket, Map<String, Integer> ports) {
    this.process = process;
    this.dir = dir;
    this.socket = socket;
    this.ports = Map.copyOf(ports);
  }

  /** The haproxy binary on the PATH or in /usr/sbin, if installed. */
  public static Optional<Path> binary() {
    for (String dir : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin").split(File.pathSeparator)) {
      Path p = Path.of(dir, "haproxy");
      if (!dir.isEmpty() && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /**
   * Writes the configuration and starts HAProxy.
   *
   * @param dir a private directory for the configuration, socket and log
   * @param frontends port of 127.0.0.1 per service
   * @param scheduler used to wait for the socket
   * @param clock measures the start timeout
   * @throws ProviderException if haproxy is missing or does not start within 10 s
   */
  public static HaproxyProcess start(Path dir, Map<String, Integer> frontends, ScheduledExecutorService scheduler,
      InstantSource clock) {
    Path haproxy = binary().orElseThrow(() -> ProviderException.permanent(HaproxyRouter.PROVIDER, "start",
        "haproxy is not installed (Debian package 'haproxy')"));
    if (frontends.isEmpty()) {
      throw new InvalidSpecException("frontends", "is empty", "give at least one service a port");
    }
    try {
      Files.createDirectories(dir);
      Path socket = dir.resolve("admin.sock");
      Files.deleteIfExists(socket);
      Path cfg = dir.resolve("haproxy.cfg");
      Files.writeString(cfg, config(socket, frontends));
      Process p = new ProcessBuilder(haproxy.toString(), "-db", "-f", cfg.toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("haproxy.log").toFile()))
          .start();
      HaproxyProcess hp = new HaproxyProcess(p, dir, socket, new LinkedHashMap<>(frontends));
      hp.awaitSocket(scheduler, clock.instant().plus(Duration.ofSeconds(10)), clock);
      return hp;
    } catch (IOException e) {
      throw ProviderException.permanent(HaproxyRouter.PROVIDER, "start", "cannot start haproxy in " + dir + ": " + e, e);
    }
  }

  /** The configuration {@link #start} writes: also the minimal shape a user's HAProxy needs. */
  public static String config(Path socket, Map<String, Integer> frontends) {
    StringBuilder sb = new StringBuilder();
    sb.append("global\n")
        .append("  stats socket ").append(socket).append(" mode 600 level admin\n")
        .append("  maxconn 4096\n")
        .append("defaults\n")
        .append("  mode http\n")
        .append("  option http-keep-alive\n")
        .append("  http-reuse safe\n")
        // A connection refused by an instance that just stopped is retried on another server.
        .append("  retries 3\n")
        .append("  option redispatch 1\n")
        .append("  retry-on conn-failure empty-response response-timeout\n")
        .append("  timeout connect 1s\n")
        .append("  timeout client 30s\n")
        .append("  timeout server 30s\n")
        .append("  timeout http-keep-alive 10s\n");
    frontends.forEach((service, port) -> sb.append("frontend fe_").append(service).append('\n')
        .append("  bind 127.0.0.1:").append(port).append('\n')
        .append("  default_backend be_").append(service).append('\n')
        .append("backend be_").append(service).append('\n')
        .append("  balance roundrobin\n"));
    return sb.toString();
  }

  private void awaitSocket(ScheduledExecutorService scheduler, Instant deadline, InstantSource clock) {
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Runnable[] check = new Runnable[1];
    check[0] = () -> {
      if (!process.isAlive()) {
        ready.completeExceptionally(ProviderException.permanent(HaproxyRouter.PROVIDER, "start",
            "haproxy exited with " + process.exitValue() + "; see " + dir.resolve("haproxy.log")));
      } else if (Files.exists(socket) && tryShowInfo()) {
        ready.complete(null);
      } else if (!clock.instant().isBefore(deadline)) {
        ready.completeExceptionally(ProviderException.retryable(HaproxyRouter.PROVIDER, "start",
            "haproxy did not open " + socket + " in time"));
      } else {
        scheduler.schedule(check[0], 20, TimeUnit.MILLISECONDS);
      }
    };
    scheduler.execute(check[0]);
    try {
      ready.get(15, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      close();
      throw (RuntimeException) e.getCause();
    } catch (InterruptedException | TimeoutException e) {
      close();
      throw ProviderException.retryable(HaproxyRouter.PROVIDER, "start", "interrupted while starting haproxy", e);
    }
  }

  private boolean tryShowInfo() {
    try {
      return new RuntimeApi(socket).execute("show info").contains("Name: HAProxy");
    } catch (ProviderException e) {
      return false;
    }
  }

  /** The admin socket. */
  public Path socket() {
    return socket;
  }

  /** The frontend port of a service. */
  public int port(String service) {
    return Objects.requireNonNull(ports.get(service), () -> "no frontend for " + service);
  }

  /** The process id. */
  public long pid() {
    return process.pid();
  }

  /** Stops HAProxy (SIGTERM, then SIGKILL after 5 s) and waits for it. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
