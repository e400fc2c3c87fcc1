// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.nginx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.TrafficSplit;
import io.cutover.provider.support.AppliedOperations;
import io.cutover.spi.OperationId;
import io.cutover.spi.Router;
import java.io.File;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.ConnectionPool;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Router} for NGINX: it writes each service's upstream block to its own file, checks the
 * whole configuration with {@code nginx -t}, swaps the file in atomically, reloads NGINX, and waits
 * until the new split is observed.
 *
 * <p><b>Files.</b> {@code <upstreamDir>/<service>.conf} holds {@code upstream cutover_<service>}
 * (one {@code server} per READY instance, release weights mapped exactly onto integer server
 * weights, {@code down} for weight 0, as NGINX refuses {@code weight=0}; {@code max_fails=0}, so
 * NGINX never takes a server out on its own: membership is the engine's) and a small status {@code
 * server} on 127.0.0.1:{@code statusPort} (virtual host {@code cutover-status-<service>}) that
 * answers {@code GET /cutover/split} with the split and its generation as JSON. Your configuration
 * includes the directory in its {@code http} block and proxies to {@code cutover_<service>}.
 *
 * <p><b>Apply.</b> The previous file is kept as {@code <service>.conf.last-good}; if {@code nginx
 * -t} rejects the new one, the last good file is put back before NGINX ever reloads, and the call
 * fails (non-retryable) with NGINX's message. If {@code nginx -s reload} fails (NGINX cannot be
 * signalled), the last good file is put back too, so no later reload brings in a split whose apply
 * failed, and the call fails (retryable). After {@code nginx -s reload}, old workers keep accepting
 * for a while, so the router polls the status location over new connections until three answers in
 * a row carry the new generation and the workers of the previous configuration (found through the
 * {@code pid} file named in the configuration) have exited: when {@link #apply} returns, no request
 * can reach an upstream the new split dropped. {@link #current} reads the same location: the split
 * NGINX serves.
 *
 * <p><b>Dynamic weights.</b> When the main configuration loads {@code ngx_http_lua_module} ({@link
 * #dynamicWeights()}), the first apply of a service writes a Lua upstream file instead (see {@code
 * LuaUpstream}: servers and weights in a {@code lua_shared_dict} read by {@code balancer_by_lua})
 * and reloads once; every later apply is one {@code PUT} of the new state to an admin location on
 * the status listener and one read-back, without a reload. Requests already proxied to an instance
 * the new split drops run to their end.
 *
 * <p><b>Clients.</b> Without the Lua module, a reload closes idle keep-alive connections; clients
 * should retry idempotent requests on connection failures (OkHttp's {@code
 * retryOnConnectionFailure}). With it, weight changes close no connection.
 *
 * <p><b>Limits.</b> Match rules and mirrors are refused (they belong in the NGINX configuration).
 *
 * <p><b>Inputs.</b> Service names become file names, upstream and server names and a header;
 * release ids and instance endpoints are written into the configuration. Whatever the engine
 * checked before, the router checks them itself, before any file is written or request sent: a
 * service name must match {@value #SAFE_NAME}, a release id {@code [A-Za-z0-9._-]+}, an endpoint
 * host letters, digits, {@code .}, {@code -}, {@code :} and IPv6 brackets. Anything else is an
 * {@link InvalidSpecException}, so no input can escape a file name or inject a directive.
 *
 * <p><b>Durability.</b> The new upstream file is written to a temporary file, forced to disk, then
 * renamed over the old one (and the directory forced), so a crash leaves the old or the new file,
 * never a torn one. NGINX's output is read while it runs, so a chatty {@code nginx -t} cannot fill
 * the pipe and hang until the timeout.
 *
 * <p><b>Threading.</b> Safe for concurrent use; applies are serialized per router (one reload at a
 * time).
 *
 * <p><b>Errors.</b> {@link ProviderException} with provider {@value #PROVIDER}.
 */
public final class NginxRouter implements Router, AutoCloseable {
  /** The provider name. */
  public static final String PROVIDER = "nginx";

  /** Path of the status location that serves the split. */
  public static final String STATUS_PATH = "/cutover/split";

  /** The form of a service name the router accepts. */
  public static final String SAFE_NAME = "[A-Za-z0-9][A-Za-z0-9_-]{0,99}";

  private static final Pattern SAFE_SERVICE = Pattern.compile(SAFE_NAME);
  private static final Pattern SAFE_RELEASE = Pattern.compile("[A-Za-z0-9._-]{1,200}");
  private static final Pattern SAFE_HOST =
      Pattern.compile("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}]");
  private static final int MAX_OUTPUT_BYTES = 64 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(NginxRouter.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CONFIRMATIONS = 3;

  private final Path nginx;
  private final Path mainConfig;
  private final Path prefix;
  private final Path upstreamDir;
  private final int statusPort;
  private final InstantSource clock;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final Duration reloadTimeout;
  private final OkHttpClient http;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicInteger reloads = new AtomicInteger();
  private final @Nullable Path pidFile;
  private final Map<String, AppliedOperations> operations = new ConcurrentHashMap<>();
  private final boolean dynamic;
  private final @Nullable Interceptor adminFault;

  private NginxRouter(Builder b) {
    this.nginx = b.nginx;
    this.mainConfig = b.mainConfig;
    this.prefix = b.prefix;
    this.upstreamDir = b.upstreamDir;
    this.statusPort = b.statusPort;
    this.clock = b.clock;
    this.reloadTimeout = b.reloadTimeout;
    this.pidFile = pidFile(b.mainConfig, b.prefix);
    this.dynamic = b.dynamicWeights != null ? b.dynamicWeights : luaModuleLoaded(b.mainConfig);
    this.adminFault = b.adminFault;
    if (b.scheduler != null) {
      this.scheduler = b.scheduler;
      this.ownsScheduler = false;
    } else {
      ScheduledThreadPoolExecutor s =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread t = new Thread(r, "cutover-nginx");
                t.setDaemon(true);
                return t;
              });
      this.scheduler = s;
      this.ownsScheduler = true;
    }
    // No idle connection is kept: every status read opens a new one, so it reaches a current
    // worker.
    OkHttpClient.Builder hb =
        new OkHttpClient.Builder()
            .connectionPool(new ConnectionPool(0, 1, TimeUnit.MILLISECONDS))
            .connectTimeout(Duration.ofSeconds(1))
            .readTimeout(Duration.ofSeconds(2))
            // A state written must never be sent twice behind the router's back.
            .retryOnConnectionFailure(false);
    if (adminFault != null) {
      hb.addInterceptor(adminFault);
    }
    this.http = hb.build();
  }

  /**
   * A builder.
   *
   * @param mainConfig the NGINX configuration file (passed as {@code -c})
   * @param prefix the NGINX prefix directory (passed as {@code -p})
   * @param upstreamDir the directory the configuration includes, where upstream files are written
   * @param statusPort the 127.0.0.1 port of the status servers in the upstream files
   */
  public static Builder builder(Path mainConfig, Path prefix, Path upstreamDir, int statusPort) {
    return new Builder(mainConfig, prefix, upstreamDir, statusPort);
  }

  /** The upstream name NGINX proxies a service to: {@code cutover_<service>}. */
  public static String upstream(String service) {
    requireSafeService(service);
    return "cutover_" + service.replace('-', '_');
  }

  /**
   * The upstream file of a service before the router's first apply: the upstream with no live
   * server and the status server reporting no split. Write it as {@code
   * <upstreamDir>/<service>.conf} before NGINX first starts, as your configuration already proxies
   * to {@link #upstream}.
   */
  public static String initialUpstream(String service, int statusPort) {
    requireSafeService(service);
    return "upstream "
        + upstream(service)
        + " {\n  server 127.0.0.1:1 down;\n}\n"
        + statusServer(service, statusPort, 0, null, "");
  }

  /** How many reloads this router has performed. */
  public int reloads() {
    return reloads.get();
  }

  /**
   * Whether weight changes go to NGINX's shared memory without a reload: the Lua module is loaded
   * by the main configuration (or {@link Builder#dynamicWeights} said so).
   */
  public boolean dynamicWeights() {
    return dynamic;
  }

  /** Whether {@code mainConfig} loads {@code ngx_http_lua_module} (a live {@code load_module}). */
  static boolean luaModuleLoaded(Path mainConfig) {
    try {
      return Pattern.compile("(?m)^\\s*load_module\\s+\\S*ngx_http_lua_module\\.so\\s*;")
          .matcher(Files.readString(mainConfig))
          .find();
    } catch (IOException e) {
      LOG.debug("cannot read {}; weight changes reload NGINX", mainConfig, e);
      return false;
    }
  }

  // ---------------------------------------------------------------- Router

  @Override
  public void apply(
      OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
    Objects.requireNonNull(op, "op");
    requireSafeService(service);
    split.validate();
    split.releaseIds().forEach(NginxRouter::requireSafeRelease);
    if (!split.rules().isEmpty() || split.mirror() != null) {
      throw ProviderException.permanent(
          PROVIDER,
          "route",
          "the NGINX router does not write match rules or mirrors (split "
              + split
              + "); put them in the NGINX configuration or use the in-process router");
    }
    AppliedOperations ops = operations.computeIfAbsent(service, k -> new AppliedOperations());
    if (ops.isStale(op)) {
      return;
    }
    lock.lock();
    try {
      Path file = upstreamDir.resolve(service + ".conf");
      Optional<Status> now = status(service);
      if (now.isPresent()
          && split.equals(now.get().split)
          && now.get().backends.equals(backendKey(split, backends))) {
        ops.applied(op);
        return;
      }
      long generation = now.map(s -> s.generation + 1).orElse(1L);
      if (dynamic && now.isPresent() && now.get().dynamic) {
        // NGINX already runs this service's Lua upstream: the new state goes to shared memory,
        // every worker picks it up for its next request, no connection is closed.
        LuaUpstream lua = LuaUpstream.of(service, statusPort);
        putState(
            service,
            lua.state(
                servers(service, split, backends),
                generation,
                statusJson(service, generation, split, backendKey(split, backends))));
        Optional<Status> after = status(service);
        if (after.isEmpty() || after.get().generation != generation) {
          throw ProviderException.retryable(
              PROVIDER,
              "route",
              "NGINX accepted generation "
                  + generation
                  + " of "
                  + service
                  + " but serves "
                  + after.map(st -> "generation " + st.generation).orElse("no split")
                  + "; apply again");
        }
        ops.applied(op);
        return;
      }
      String content =
          dynamic
              ? LuaUpstream.of(service, statusPort)
                  .render(
                      servers(service, split, backends),
                      generation,
                      statusJson(service, generation, split, backendKey(split, backends)),
                      split)
              : render(service, split, backends, generation);
      Path lastGood = upstreamDir.resolve(service + ".conf.last-good");
      boolean hadFile = Files.exists(file);
      if (hadFile) {
        Files.copy(file, lastGood, StandardCopyOption.REPLACE_EXISTING);
      }
      Path tmp = upstreamDir.resolve("." + service + ".conf.tmp");
      writeDurably(tmp, content);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      forceDirectory(upstreamDir);
      String test = run("-t");
      if (test != null) {
        restoreLastGood(file, lastGood, hadFile);
        throw ProviderException.permanent(
            PROVIDER,
            "route",
            "nginx -t rejected the upstream of "
                + service
                + "; the last good configuration was restored and NGINX was not reloaded: "
                + test);
      }
      List<ProcessHandle> oldWorkers = workers();
      String reload = run("-s", "reload");
      if (reload != null) {
        // NGINX was not signalled and serves the previous file; left on disk, the new one would
        // come into
        // effect with the next reload of any service although this call failed.
        restoreLastGood(file, lastGood, hadFile);
        throw ProviderException.retryable(
            PROVIDER,
            "route",
            "nginx -s reload failed; the last good configuration of "
                + service
                + " was restored: "
                + reload);
      }
      reloads.incrementAndGet();
      awaitGeneration(service, generation, oldWorkers);
      ops.applied(op);
    } catch (IOException e) {
      throw ProviderException.retryable(
          PROVIDER,
          "route",
          "cannot write the upstream of " + service + " in " + upstreamDir + ": " + e.getMessage(),
          e);
    } finally {
      lock.unlock();
    }
  }

  /** Writes and forces a file, so the rename that follows never exposes a torn file. */
  private static void writeDurably(Path tmp, String content) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      while (bytes.hasRemaining()) {
        ch.write(bytes);
      }
      ch.force(true);
    }
  }

  /** Makes a rename in {@code dir} durable; a file system that cannot force a directory is fine. */
  private static void forceDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      LOG.debug("cannot force directory {} (not supported here?)", dir, e);
    }
  }

  private static void requireSafeService(String service) {
    if (service == null || !SAFE_SERVICE.matcher(service).matches()) {
      throw new InvalidSpecException(
          "service",
          "'"
              + printable(service)
              + "' cannot be used by the NGINX router (it names a file, an upstream and a server)",
          "use a name matching " + SAFE_NAME);
    }
  }

  private static void requireSafeRelease(String id) {
    if (!SAFE_RELEASE.matcher(id).matches()) {
      throw new InvalidSpecException(
          "split.weights." + printable(id),
          "cannot be written into an NGINX configuration",
          "use release ids of letters, digits, '.', '_' and '-' (Release.id() always is)");
    }
  }

  /** A value for a message: control characters escaped, long values cut. */
  static String printable(@Nullable String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && i < 120; i++) {
      char c = s.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return s.length() > 120 ? sb + "..." : sb.toString();
  }

  private static void restoreLastGood(Path file, Path lastGood, boolean hadFile)
      throws IOException {
    if (hadFile) {
      Files.move(
          lastGood, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } else {
      Files.deleteIfExists(file);
    }
  }

  @Override
  public Optional<TrafficSplit> current(String service) {
    requireSafeService(service);
    return status(service).map(Status::split);
  }

  @Override
  public void close() {
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
    http.dispatcher().executorService().shutdown();
  }

  // ---------------------------------------------------------------- rendering

  /** One server of an upstream: a READY instance of a release and its integer weight (0 = down). */
  record Server(String releaseId, String instanceId, String host, int port, long weight) {}

  /**
   * The servers a split maps onto: each release's READY instances with an endpoint, release weights
   * mapped exactly onto integer server weights. Validates every endpoint first.
   */
  static List<Server> servers(
      String service, TrafficSplit split, Map<String, List<Instance>> backends) {
    Map<String, List<Instance>> ready = new LinkedHashMap<>();
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String id : split.releaseIds()) {
      requireSafeRelease(id);
      List<Instance> list =
          backends.getOrDefault(id, List.of()).stream()
              .filter(i -> i.state() == InstanceState.READY && i.endpoint() != null)
              .sorted(Comparator.comparing(Instance::id))
              .toList();
      if (split.weight(id) > 0 && list.isEmpty()) {
        throw ProviderException.permanent(
            PROVIDER,
            "route",
            "release "
                + id
                + " of "
                + service
                + " has "
                + split.percent(id)
                + "% of traffic but no READY instance with an endpoint; nothing was changed");
      }
      ready.put(id, list);
      counts.put(id, list.size());
    }
    Map<String, Long> perServer = perServerWeights(split, counts);
    List<Server> servers = new ArrayList<>();
    for (Map.Entry<String, List<Instance>> e : ready.entrySet()) {
      for (Instance i : e.getValue()) {
        URI endpoint = Objects.requireNonNull(i.endpoint());
        String host = endpoint.getHost();
        if (host == null || !SAFE_HOST.matcher(host).matches() || endpoint.getPort() < 1) {
          throw new InvalidSpecException(
              "backends." + e.getKey(),
              "instance "
                  + printable(i.id())
                  + " has endpoint '"
                  + printable(endpoint.toString())
                  + "', which has no plain host and port to write into an NGINX configuration",
              "give instances endpoints such as http://127.0.0.1:8080");
        }
        servers.add(
            new Server(
                e.getKey(),
                i.id().replaceAll("[^A-Za-z0-9._-]", "_"),
                host,
                endpoint.getPort(),
                perServer.getOrDefault(e.getKey(), 0L)));
      }
    }
    return servers;
  }

  /** The upstream file of a service: an upstream block and its status server. */
  String render(
      String service, TrafficSplit split, Map<String, List<Instance>> backends, long generation) {
    List<Server> servers = servers(service, split, backends);
    StringBuilder sb = new StringBuilder();
    sb.append("# Written by Cutover (generation ")
        .append(generation)
        .append("): ")
        .append(split)
        .append('\n');
    sb.append("upstream ").append(upstream(service)).append(" {\n");
    for (Server sv : servers) {
      sb.append("  server ")
          .append(sv.host())
          .append(':')
          .append(sv.port())
          // max_fails=0: membership is the engine's (the fleet reports dead instances and the
          // split is re-applied). NGINX's passive marking would take every server of a release out
          // for fail_timeout after a few transient upstream errors: seen under load, 21 upstream
          // resets turned into 1,388 "no live upstreams" 502s. A failed request still moves on to
          // the next server by the user's proxy_next_upstream.
          .append(sv.weight() > 0 ? " weight=" + sv.weight() + " max_fails=0" : " down")
          .append(";  # ")
          .append(sv.releaseId())
          .append(' ')
          .append(sv.instanceId())
          .append('\n');
    }
    sb.append("  keepalive 32;\n}\n");
    sb.append(statusServer(service, statusPort, generation, split, backendKey(split, backends)));
    return sb.toString();
  }

  /** The JSON the status location answers: service, generation, weights, backends fingerprint. */
  static String statusJson(
      String service, long generation, @Nullable TrafficSplit split, String backends) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("service", service);
    body.put("generation", generation);
    body.put("weights", split == null ? Map.of() : split.weights());
    body.put("backends", backends);
    try {
      return JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The status server that answers {@value #STATUS_PATH} for a service; also written with an empty
   * split by {@link #initialUpstream} before the first apply.
   */
  static String statusServer(
      String service, int port, long generation, @Nullable TrafficSplit split, String backends) {
    String json = statusJson(service, generation, split, backends);
    return "server {\n  listen 127.0.0.1:"
        + port
        + ";\n  server_name cutover-status-"
        + service
        + ";\n"
        + "  location = "
        + STATUS_PATH
        + " {\n    default_type application/json;\n    return 200 '"
        + json
        + "';\n  }\n}\n";
  }

  /** Release totals exact in ratio: each release's total is divisible by its server count. */
  /** The server count of a weighted release; the caller has one for every release in the split. */
  private static int count(Map<String, Integer> counts, String releaseId) {
    return Objects.requireNonNull(counts.get(releaseId), () -> "no server count for " + releaseId);
  }

  static Map<String, Long> perServerWeights(TrafficSplit split, Map<String, Integer> counts) {
    long lcm = 1;
    long gcd = 0;
    for (Map.Entry<String, Integer> e : split.weights().entrySet()) {
      if (e.getValue() > 0) {
        long n = count(counts, e.getKey());
        lcm = lcm / BigInteger.valueOf(lcm).gcd(BigInteger.valueOf(n)).longValue() * n;
      }
    }
    Map<String, Long> per = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> e : split.weights().entrySet()) {
      if (e.getValue() > 0) {
        long w = e.getValue() * (lcm / count(counts, e.getKey()));
        per.put(e.getKey(), w);
        gcd = BigInteger.valueOf(gcd).gcd(BigInteger.valueOf(w)).longValue();
      }
    }
    long g = Math.max(1, gcd);
    per.replaceAll((id, w) -> w / g);
    return per;
  }

  /**
   * A fingerprint of the backends in a split, so a new instance set is a change even with equal
   * weights.
   */
  private static String backendKey(TrafficSplit split, Map<String, List<Instance>> backends) {
    List<String> parts = new ArrayList<>();
    for (String id : split.releaseIds()) {
      backends.getOrDefault(id, List.of()).stream()
          .filter(i -> i.state() == InstanceState.READY && i.endpoint() != null)
          .map(i -> id + "=" + i.endpoint().getHost() + ":" + i.endpoint().getPort())
          .sorted()
          .forEach(parts::add);
    }
    return String.join(",", parts);
  }

  // ---------------------------------------------------------------- NGINX

  /**
   * Runs nginx with the router's {@code -c} and {@code -p}; null on success, the output otherwise.
   */
  private @Nullable String run(String... args) throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(nginx.toString(), "-c", mainConfig.toString(), "-p", prefix.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    // Read the output while nginx runs: a full pipe would block it until the timeout.
    OutputDrain output = OutputDrain.start(p.getInputStream(), MAX_OUTPUT_BYTES);
    try {
      if (!p.waitFor(reloadTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return String.join(" ", cmd) + " did not finish within " + reloadTimeout;
      }
      String out = output.await(Duration.ofSeconds(1)).trim();
      return p.exitValue() == 0 ? null : out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      return "interrupted";
    }
  }

  /**
   * What NGINX serves for a service; {@code dynamic} when it runs the Lua upstream whose state
   * changes without a reload.
   */
  private record Status(
      long generation, @Nullable TrafficSplit split, String backends, boolean dynamic) {}

  /** Writes a Lua upstream's state into NGINX's shared memory through the admin location. */
  private void putState(String service, String state) {
    Request request =
        new Request.Builder()
            .url("http://127.0.0.1:" + statusPort + LuaUpstream.ADMIN_PATH)
            .header("Host", "cutover-status-" + service)
            .put(RequestBody.create(state.getBytes(StandardCharsets.UTF_8)))
            .build();
    try (Response r = http.newCall(request).execute()) {
      if (r.code() != 200) {
        String body = r.body().string();
        throw ProviderException.retryable(
            PROVIDER,
            "route",
            "NGINX refused the new state of "
                + service
                + " (HTTP "
                + r.code()
                + ": "
                + printable(body.trim())
                + "); the previous split stays in effect");
      }
    } catch (IOException e) {
      throw ProviderException.retryable(
          PROVIDER,
          "route",
          "cannot send the new state of "
              + service
              + " to 127.0.0.1:"
              + statusPort
              + LuaUpstream.ADMIN_PATH
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private Optional<Status> status(String service) {
    Request request =
        new Request.Builder()
            .url("http://127.0.0.1:" + statusPort + STATUS_PATH)
            .header("Host", "cutover-status-" + service)
            .build();
    try (Response r = http.newCall(request).execute()) {
      if (r.code() != 200) {
        return Optional.empty();
      }
      JsonNode node = JSON.readTree(r.body().string());
      if (!service.equals(node.path("service").asText())) {
        // NGINX answered from its default server: this service has no upstream file.
        return Optional.empty();
      }
      Map<String, Integer> weights = new LinkedHashMap<>();
      node.path("weights")
          .fields()
          .forEachRemaining(e -> weights.put(e.getKey(), e.getValue().asInt()));
      return Optional.of(
          new Status(
              node.path("generation").asLong(),
              weights.isEmpty() ? null : TrafficSplit.of(weights),
              node.path("backends").asText(""),
              "lua".equals(node.path("mode").asText())));
    } catch (IOException e) {
      throw ProviderException.retryable(
          PROVIDER,
          "current",
          "cannot read "
              + STATUS_PATH
              + " of "
              + service
              + " on 127.0.0.1:"
              + statusPort
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /**
   * The worker processes of the running master (from the configuration's pid file), or none if
   * unknown.
   */
  private List<ProcessHandle> workers() {
    if (pidFile == null) {
      return List.of();
    }
    try {
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      return ProcessHandle.of(pid).map(h -> h.children().toList()).orElse(List.of());
    } catch (IOException | NumberFormatException e) {
      LOG.debug("cannot read the NGINX pid file {}", pidFile, e);
      return List.of();
    }
  }

  private static @Nullable Path pidFile(Path mainConfig, Path prefix) {
    try {
      Matcher m =
          Pattern.compile("(?m)^\\s*pid\\s+([^;\\s]+)\\s*;").matcher(Files.readString(mainConfig));
      return m.find() ? prefix.resolve(m.group(1)) : prefix.resolve("logs/nginx.pid");
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Waits until new connections get the new generation three times in a row and the workers of the
   * old configuration have exited: until then an old worker may still accept a connection and proxy
   * it to an upstream the new split no longer names (and that the engine will stop next).
   */
  private void awaitGeneration(String service, long generation, List<ProcessHandle> oldWorkers) {
    CompletableFuture<Void> seen = new CompletableFuture<>();
    Instant deadline = clock.instant().plus(reloadTimeout);
    int[] streak = {0};
    Runnable[] poll = new Runnable[1];
    poll[0] =
        () -> {
          try {
            Optional<Status> s = status(service);
            streak[0] = s.isPresent() && s.get().generation == generation ? streak[0] + 1 : 0;
          } catch (ProviderException e) {
            streak[0] = 0;
          }
          boolean oldGone = oldWorkers.stream().noneMatch(ProcessHandle::isAlive);
          if (streak[0] >= CONFIRMATIONS && oldGone) {
            seen.complete(null);
          } else if (streak[0] >= CONFIRMATIONS && !clock.instant().isBefore(deadline)) {
            LOG.warn(
                "NGINX serves generation {} of {}, but workers of the previous configuration are still running "
                    + "after {} (long requests in flight?)",
                generation,
                service,
                reloadTimeout);
            seen.complete(null);
          } else if (!clock.instant().isBefore(deadline)) {
            seen.completeExceptionally(
                ProviderException.retryable(
                    PROVIDER,
                    "route",
                    "NGINX did not serve generation "
                        + generation
                        + " of "
                        + service
                        + " within "
                        + reloadTimeout
                        + " after the reload"));
          } else {
            scheduler.schedule(poll[0], 20, TimeUnit.MILLISECONDS);
          }
        };
    scheduler.execute(poll[0]);
    try {
      seen.get(reloadTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw (RuntimeException) e.getCause();
    } catch (InterruptedException | TimeoutException e) {
      Thread.currentThread().interrupt();
      throw ProviderException.retryable(
          PROVIDER, "route", "interrupted while waiting for the reload", e);
    }
    LOG.debug("NGINX serves generation {} of {}", generation, service);
  }

  /** Builds a {@link NginxRouter}. Not thread-safe. */
  public static final class Builder {
    private final Path mainConfig;
    private final Path prefix;
    private final Path upstreamDir;
    private final int statusPort;
    private Path nginx = Path.of("nginx");
    private InstantSource clock = InstantSource.system();
    private @Nullable ScheduledExecutorService scheduler;
    private Duration reloadTimeout = Duration.ofSeconds(10);
    private @Nullable Boolean dynamicWeights;
    private @Nullable Interceptor adminFault;

    private Builder(Path mainConfig, Path prefix, Path upstreamDir, int statusPort) {
      this.mainConfig = Objects.requireNonNull(mainConfig);
      this.prefix = Objects.requireNonNull(prefix);
      this.upstreamDir = Objects.requireNonNull(upstreamDir);
      if (statusPort < 1 || statusPort > 65_535) {
        throw new InvalidSpecException("statusPort", "is " + statusPort, "use a TCP port 1..65535");
      }
      this.statusPort = statusPort;
      installedNginx().ifPresent(p -> this.nginx = p);
    }

    /**
     * The nginx binary on the PATH or in /usr/sbin (Debian installs it there, outside a user's
     * PATH).
     */
    private static Optional<Path> installedNginx() {
      String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin";
      for (String dir : path.split(File.pathSeparator)) {
        Path p = Path.of(dir, "nginx");
        if (!dir.isEmpty() && Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
      return Optional.empty();
    }

    /** The nginx binary; default the one on the PATH or in /usr/sbin. */
    public Builder nginx(Path binary) {
      this.nginx = Objects.requireNonNull(binary);
      return this;
    }

    /** The clock reload deadlines are measured with. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /**
     * The scheduler polling for the new generation; default one daemon thread owned by the router.
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler);
      return this;
    }

    /** How long a check, a reload and its observation may take; default 10 s. */
    public Builder reloadTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new InvalidSpecException("reloadTimeout", "is " + timeout, "use a positive duration");
      }
      this.reloadTimeout = timeout;
      return this;
    }

    /**
     * Whether weight changes go to NGINX's shared memory through {@code balancer_by_lua} (no
     * reload) or through a rewritten upstream file and a reload. Default: dynamic when the main
     * configuration loads {@code ngx_http_lua_module} ({@code load_module}); set {@code false} to
     * keep the reload path although the module is loaded, {@code true} only if the module is loaded
     * some other way (an {@code include} of {@code modules-enabled}).
     */
    public Builder dynamicWeights(boolean dynamic) {
      this.dynamicWeights = dynamic;
      return this;
    }

    /** Tests only: an interceptor on the router's HTTP client, to fail a state write. */
    Builder adminFault(Interceptor interceptor) {
      this.adminFault = Objects.requireNonNull(interceptor);
      return this;
    }

    /** Builds the router. No I/O happens until the first call. */
    public NginxRouter build() {
      return new NginxRouter(this);
    }
  }
}
