// SPDX-License-Identifier: Apache-2.0
package io.cutover.testfixtures;

import io.cutover.samples.ExternalProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A private NGINX for one machine: a configuration in a directory (own pid, logs and temp paths,
 * one proxy server on 127.0.0.1 per service, the upstream directory included), started in the
 * foreground ({@code daemon off}) and stopped by pid. Used by the integration tests and benchmarks;
 * production NGINX is configured by its owners and only the NGINX router touches its upstream
 * files.
 *
 * <p>This module cannot depend on {@code cutover-provider-nginx} (whose tests use it), so the
 * caller passes the router's naming and first upstream file as {@link Upstreams}, e.g. {@code new
 * Upstreams(NginxRouter::upstream, NginxRouter::initialUpstream)}.
 *
 * <p>Not thread-safe; {@link #close} stops the process.
 */
public final class NginxProcess implements AutoCloseable {
  /**
   * How the router under test names a service's upstream and what it expects in the upstream
   * directory before its first apply.
   *
   * @param name upstream name of a service
   * @param initialFile content of {@code <service>.conf} before the first apply, given the service
   *     and the status port
   */
  public record Upstreams(
      Function<String, String> name, BiFunction<String, Integer, String> initialFile) {}

  private final ExternalProcess process;
  private final Path dir;
  private final Map<String, Integer> ports;
  private final int statusPort;

  private NginxProcess(
      ExternalProcess process, Path dir, Map<String, Integer> ports, int statusPort) {
    this.process = process;
    this.dir = dir;
    this.ports = Map.copyOf(ports);
    this.statusPort = statusPort;
  }

  /** The nginx binary on the PATH or in /usr/sbin, if installed. */
  public static Optional<Path> binary() {
    return ExternalProcess.find("nginx");
  }

  /**
   * The dynamic modules Debian's {@code libnginx-mod-http-lua} installs (NDK first, then Lua), if
   * both are there.
   */
  public static Optional<List<Path>> luaModules() {
    Path dir = Path.of("/usr/lib/nginx/modules");
    List<Path> modules =
        List.of(dir.resolve("ndk_http_module.so"), dir.resolve("ngx_http_lua_module.so"));
    return modules.stream().allMatch(Files::isReadable) ? Optional.of(modules) : Optional.empty();
  }

  /**
   * {@link #start(Path, Map, int, Upstreams, ScheduledExecutorService, InstantSource, boolean)}
   * without the Lua module.
   */
  public static NginxProcess start(
      Path dir,
      Map<String, Integer> frontends,
      int statusPort,
      Upstreams upstreams,
      ScheduledExecutorService scheduler,
      InstantSource clock) {
    return start(dir, frontends, statusPort, upstreams, scheduler, clock, false);
  }

  /**
   * Writes the configuration (with the initial upstream file per service) and starts NGINX.
   *
   * @param dir a private directory
   * @param frontends port of 127.0.0.1 per service
   * @param statusPort the port of the routers' status servers
   * @param upstreams the router's upstream naming and initial files
   * @param lua whether the configuration loads the Lua module ({@link #luaModules()})
   * @throws IllegalStateException if nginx (or, with {@code lua}, the Lua module) is missing or
   *     does not start within 10 s
   */
  public static NginxProcess start(
      Path dir,
      Map<String, Integer> frontends,
      int statusPort,
      Upstreams upstreams,
      ScheduledExecutorService scheduler,
      InstantSource clock,
      boolean lua) {
    List<Path> modules = List.of();
    if (lua) {
      modules =
          luaModules()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "the NGINX Lua module is not installed: install the Debian package"
                              + " 'libnginx-mod-http-lua' (apt-get install -y libnginx-mod-http-lua)"));
    }
    Path nginx =
        binary()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "nginx is not installed: install the Debian package 'nginx-light' (apt-get install -y nginx-light)"));
    if (frontends.isEmpty()) {
      throw new IllegalArgumentException("frontends is empty: give at least one service a port");
    }
    ExternalProcess p;
    try {
      Path upstreamDir = Files.createDirectories(dir.resolve("upstreams"));
      Files.createDirectories(dir.resolve("tmp"));
      for (String service : frontends.keySet()) {
        Files.writeString(
            upstreamDir.resolve(service + ".conf"),
            upstreams.initialFile().apply(service, statusPort));
      }
      Files.writeString(
          dir.resolve("nginx.conf"), config(dir, frontends, upstreams.name(), modules));
      p =
          ExternalProcess.start(
              List.of(
                  nginx.toString(),
                  "-c",
                  dir.resolve("nginx.conf").toString(),
                  "-p",
                  dir.toString()),
              dir.resolve("stdout.log"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot start nginx in " + dir + ": " + e, e);
    }
    p.awaitReady(
        "it listens on " + statusPort + " (see also " + dir.resolve("error.log") + ")",
        Duration.ofSeconds(10),
        () -> {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", statusPort), 200);
            return true;
          }
        },
        scheduler,
        clock);
    return new NginxProcess(p, dir, frontends, statusPort);
  }

  /** The main configuration {@link #start} writes: also the shape a user's NGINX needs. */
  public static String config(
      Path dir, Map<String, Integer> frontends, Function<String, String> upstreamName) {
    return config(dir, frontends, upstreamName, List.of());
  }

  /** The main configuration, loading {@code modules} first (e.g. {@link #luaModules()}). */
  public static String config(
      Path dir,
      Map<String, Integer> frontends,
      Function<String, String> upstreamName,
      List<Path> modules) {
    StringBuilder sb = new StringBuilder();
    modules.forEach(m -> sb.append("load_module ").append(m).append(";\n"));
    sb.append("daemon off;\nworker_processes 1;\npid ")
        .append(dir.resolve("nginx.pid"))
        .append(";\n")
        .append("error_log ")
        .append(dir.resolve("error.log"))
        .append(" warn;\n")
        .append("events { worker_connections 2048; }\n")
        .append("http {\n  access_log off;\n");
    for (String t : new String[] {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
      sb.append("  ")
          .append(t)
          .append("_temp_path ")
          .append(dir.resolve("tmp").resolve(t))
          .append(";\n");
    }
    sb.append("  include ").append(dir.resolve("upstreams")).append("/*.conf;\n");
    frontends.forEach(
        (service, port) ->
            sb.append("  server {\n    listen 127.0.0.1:")
                .append(port)
                .append(";\n")
                .append("    location / {\n      proxy_pass http://")
                .append(upstreamName.apply(service))
                .append(";\n")
                .append("      proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n")
                .append("      proxy_next_upstream error timeout;\n    }\n  }\n"));
    return sb.append("}\n").toString();
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

  /** Stops NGINX (SIGTERM to the master, then SIGKILL after 5 s) and its workers. */
  @Override
  public void close() {
    process.close();
  }
}
