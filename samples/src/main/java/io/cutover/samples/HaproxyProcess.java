// SPDX-License-Identifier: Apache-2.0
package io.cutover.samples;

import io.cutover.api.InvalidSpecException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A private HAProxy for one machine: writes a configuration into a directory (one frontend on
 * 127.0.0.1 and one {@code be_<service>} backend per service, an admin stats socket, retries and
 * redispatch on connection failures), starts {@code haproxy -db} in the foreground, waits until the
 * socket answers, and stops it by pid. Used by {@code cutover demo --router haproxy}, the
 * integration tests and the benchmarks; production HAProxies are configured and run by their
 * owners, and only the {@code HaproxyRouter} of {@code cutover-provider-haproxy} talks to them.
 *
 * <p>Not thread-safe; {@link #close} stops the process.
 */
public final class HaproxyProcess implements AutoCloseable {
  private final ExternalProcess process;
  private final Path socket;
  private final Map<String, Integer> ports;

  private HaproxyProcess(ExternalProcess process, Path socket, Map<String, Integer> ports) {
    this.process = process;
    this.socket = socket;
    this.ports = Map.copyOf(ports);
  }

  /** The haproxy binary on the PATH or in /usr/sbin, if installed. */
  public static Optional<Path> binary() {
    return ExternalProcess.find("haproxy");
  }

  /**
   * Writes the configuration and starts HAProxy.
   *
   * @param dir a private directory for the configuration, socket and log
   * @param frontends port of 127.0.0.1 per service
   * @param scheduler used to wait for the socket
   * @param clock measures the start timeout
   * @throws IllegalStateException if haproxy is missing or does not start within 10 s
   * @throws InvalidSpecException if {@code frontends} is empty
   */
  public static HaproxyProcess start(
      Path dir,
      Map<String, Integer> frontends,
      ScheduledExecutorService scheduler,
      InstantSource clock) {
    Path haproxy =
        binary()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "haproxy is not installed: install the Debian package 'haproxy' (apt-get install -y haproxy)"));
    if (frontends.isEmpty()) {
      throw new InvalidSpecException("frontends", "is empty", "give at least one service a port");
    }
    ExternalProcess p;
    Path socket = dir.resolve("admin.sock");
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(socket);
      Path cfg = dir.resolve("haproxy.cfg");
      Files.writeString(cfg, config(socket, frontends));
      p =
          ExternalProcess.start(
              List.of(haproxy.toString(), "-db", "-f", cfg.toString()), dir.resolve("haproxy.log"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot start haproxy in " + dir + ": " + e, e);
    }
    p.awaitReady(
        "its admin socket " + socket + " answers 'show info'",
        Duration.ofSeconds(10),
        () -> Files.exists(socket) && showInfo(socket).contains("Name: HAProxy"),
        scheduler,
        clock);
    return new HaproxyProcess(p, socket, new LinkedHashMap<>(frontends));
  }

  /** The configuration {@link #start} writes: also the minimal shape a user's HAProxy needs. */
  public static String config(Path socket, Map<String, Integer> frontends) {
    StringBuilder sb = new StringBuilder();
    sb.append("global\n")
        .append("  stats socket ")
        .append(socket)
        .append(" mode 600 level admin\n")
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
    frontends.forEach(
        (service, port) ->
            sb.append("frontend fe_")
                .append(service)
                .append('\n')
                .append("  bind 127.0.0.1:")
                .append(port)
                .append('\n')
                .append("  default_backend be_")
                .append(service)
                .append('\n')
                .append("backend be_")
                .append(service)
                .append('\n')
                .append("  balance roundrobin\n"));
    return sb.toString();
  }

  /**
   * One runtime-API command, as the router sends it: one line, the answer read until HAProxy
   * closes.
   */
  private static String showInfo(Path socket) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ByteBuffer out = ByteBuffer.wrap("show info\n".getBytes(StandardCharsets.US_ASCII));
      while (out.hasRemaining()) {
        ch.write(out);
      }
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      ByteBuffer in = ByteBuffer.allocate(4096);
      while (ch.read(in) >= 0) {
        answer.write(in.array(), 0, in.position());
        in.clear();
      }
      return answer.toString(StandardCharsets.US_ASCII);
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
    process.close();
  }
}
