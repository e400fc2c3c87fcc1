package io.cutover.provider.nginx;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A private NGINX for one machine: a configuration in a directory (own pid, logs and temp paths, one
 * proxy server on 127.0.0.1 per service, the upstream directory included), started in the foreground
 * ({@code daemon off}) and stopped by pid. Used by the integration tests and benchmarks; production NGINX
 * is configured by its owners and only the {@link NginxRouter} touches its upstream files.
 *
 * <p>Not thread-safe; {@link #close} stops the process.
 */
public final class NginxProcess implements AutoCloseable {
  private final Process process;
  private final Path dir;
  private final Map<String, Integer> ports;
  private final int statusPort;

  private NginxProcess(Process process, Path dir, Map<String, Integer> ports, int statusPort) {
    this.process = process;
    this.dir = dir;
    this.ports = Map.copyOf(ports);
    this.statusPort = statusPort;
  }

  /** The nginx binary on the PATH or in /usr/sbin, if installed. */
  public static Optional<Path> binary() {
    for (String d : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin").split(File.pathSeparator)) {
      Path p = Path.of(d, "nginx");
      if (!d.isEmpty() && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /**
   * Writes the configuration (with an empty upstream per service) and starts NGINX.
   *
   * @param dir a private directory
   * @param frontends port of 127.0.0.1 per service
   * @param statusPort the port of the routers' status servers
   * @throws ProviderException if nginx is missing or does not start within 10 s
   */
  public static NginxProcess start(Path dir, Map<String, Integer> frontends, int statusPort,
      ScheduledExecutorService scheduler, InstantSource clock) {
    Path nginx = binary().orElseThrow(() -> ProviderException.permanent(NginxRouter.PROVIDER, "start",
        "nginx is not installed (Debian package 'nginx-light')"));
    if (frontends.isEmpty()) {
      throw new InvalidSpecException("frontends", "is empty", "give at least one service a port");
    }
    try {
      Path upstreams = Files.createDirectories(dir.resolve("upstreams"));
      Files.createDirectories(dir.resolve("tmp"));
      for (String service : frontends.keySet()) {
        Files.writeString(upstreams.resolve(service + ".conf"), "upstream " + NginxRouter.upstream(service)
            + " {\n  server 127.0.0.1:1 down;\n}\n" + NginxRouter.statusServer(service, statusPort, 0, null, ""));
      }
      Files.writeString(dir.resolve("nginx.conf"), config(dir, frontends));
      Process p = new ProcessBuilder(nginx.toString(), "-c", dir.resolve("nginx.conf").toString(), "-p", dir.toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()))
          .start();
      NginxProcess np = new NginxProcess(p, dir, frontends, statusPort);
      np.awaitPort(scheduler, clock, clock.instant().plus(Duration.ofSeconds(10)));
      return np;
    } catch (IOException e) {
      throw ProviderException.permanent(NginxRouter.PROVIDER, "start", "cannot start nginx in " + dir + ": " + e, e);
    }
  }

  /** The main configuration {@link #start} writes: also the shape a user's NGINX needs. */
  public static String config(Path dir, Map<String, Integer> frontends) {
    StringBuilder sb = new StringBuilder();
    sb.append("daemon off;\nworker_processes 1;\npid ").append(dir.resolve("nginx.pid")).append(";\n")
        .append("error_log ").append(dir.resolve("error.log")).append(" warn;\n")
        .append("events { worker_connections 2048; }\n")
        .append("http {\n  access_log off;\n");
    for (String t : new String[] {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
      sb.append("  ").append(t).append("_temp_path ").append(dir.resolve("tmp").resolve(t)).append(";\n");
    }
    sb.append("  include ").append(dir.resolve("upstreams")).append("/*.conf;\n");
    frontends.forEach((service, port) -> sb.append("  server {\n    listen 127.0.0.1:").append(port).append(";\n")
        .append("    location / {\n      proxy_pass http://").append(NginxRouter.upstream(service)).append(";\n")
        .append("      proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n")
        .append("      proxy_next_upstream error timeout;\n    }\n  }\n"));
    return sb.append("}\n").toString();
  }

  private void awaitPort(ScheduledExecutorService scheduler, InstantSource clock, Instant deadline) {
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Runnable[] check = new Runnable[1];
    check[0] = () -> {
      if (!process.isAlive()) {
        ready.completeExceptionally(ProviderException.permanent(NginxRouter.PROVIDER, "start", "nginx exited with "
            + process.exitValue() + "; see " + dir.resolve("error.log") + " and " + dir.resolve("stdout.log")));
        return;
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", statusPort), 200);
        ready.complete(null);
      } catch (IOException e) {
        if (!clock.instant().isBefore(deadline)) {
          ready.completeExceptionally(ProviderException.retryable(NginxRouter.PROVIDER, "start", "nginx did not listen on "
              + statusPort + " in time", e));
        } else {
          scheduler.schedule(check[0], 20, TimeUnit.MILLISECONDS);
        }
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
      throw ProviderException.retryable(NginxRouter.PROVIDER, "start", "interrupted while starting nginx", e);
    }
  }

  /** The configuration file. */
  public Path configFile() {
    return dir.resolve("nginx.conf");
  }

  /** The prefix directory. */
  public Path prefix() {
    return dir;
  }

  /** The directory of upstream files. */
  public Path upstreamDir() {
    return dir.resolve("upstreams");
  }

  /** The status port. */
  public int statusPort() {
    return statusPort;
  }

  /** The proxy port of a service. */
  public int port(String service) {
    return Objects.requireNonNull(ports.get(service), () -> "no frontend for " + service);
  }

  /** A router for this NGINX. */
  public NginxRouter.Builder router() {
    return NginxRouter.builder(configFile(), prefix(), upstreamDir(), statusPort);
  }

  /** Stops NGINX (SIGTERM to the master, then SIGKILL after 5 s) and its workers. */
  @Override
  public void close() {
    ProcessHandle h = process.toHandle();
    var children = h.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
