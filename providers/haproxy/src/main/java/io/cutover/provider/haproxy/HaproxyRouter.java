// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.haproxy;

import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.TrafficSplit;
import io.cutover.provider.haproxy.internal.RuntimeNames;
import io.cutover.provider.haproxy.internal.WeightMapping;
import io.cutover.provider.support.AppliedOperations;
import io.cutover.spi.OperationId;
import io.cutover.spi.Router;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Router} that drives a running HAProxy through its runtime API, without reloads.
 *
 * <p><b>Model.</b> Each service is one HAProxy backend ({@code be_<service>} by default, declared
 * in your configuration with {@code balance roundrobin} or another dynamic algorithm, not {@code
 * static-rr}). Each READY instance is one dynamic server named {@code <releaseId>:<hash>}, added
 * with {@code add server} and made ready; a release named in the split without instances is
 * remembered by a marker server {@code <releaseId>:none} kept in maintenance, so the split can be
 * read back whole from HAProxy.
 *
 * <p><b>Weights.</b> Release weights (basis points) are mapped onto HAProxy's 0..256 server weights
 * exactly whenever the ratio fits (every split of whole percents does for up to 256 x instances per
 * release, e.g. 10/90, 1/99, 37/63); the per-release total is spread evenly over its servers. A
 * split that cannot be written exactly gets the closest ratio, and {@link #current} reports the
 * requested split only as long as HAProxy holds exactly the weights this router set for it.
 *
 * <p><b>Apply.</b> All changes of one {@link #apply} go to HAProxy as one batch of {@code
 * ;}-separated commands (new servers added and made ready, weights set, servers no longer given
 * drained into maintenance), then {@code show servers state} is read back and compared server by
 * server. Applying the split in effect sends nothing but the read-back. The batch and the read-back
 * travel in one round trip: the state before is the one HAProxy reported after the previous batch
 * (read afresh when HAProxy refuses a command because someone else changed the backend). Servers
 * taken out are deleted in the background with {@code del server} once {@code show stat} reports no
 * current session ({@code scur} 0), so in-flight requests finish.
 *
 * <p><b>Limits.</b> Header/cookie match rules and mirrors need HAProxy configuration, not runtime
 * commands: a split with them is refused (non-retryable {@link ProviderException}).
 *
 * <p><b>Inputs.</b> The runtime API splits a line at {@code ;} and newlines and a command at
 * spaces, so the router checks every name it puts into a command itself, before anything is sent:
 * backend names must match {@code [A-Za-z0-9_.:-]+}, release ids {@code [A-Za-z0-9_.-]+}, endpoint
 * hosts must be plain names or addresses; anything else is an {@link InvalidSpecException}. {@link
 * RuntimeApi} refuses command separators inside a command as well.
 *
 * <p><b>Connection.</b> The router keeps one runtime-API connection open between calls (HAProxy's
 * interactive mode), so a change is one write and one read on an open socket; it is reopened when
 * HAProxy closed it, and a batch that reached a reloaded (stopping) process is sent again to the
 * current one ({@link RuntimeApi}). {@link Builder#keepAlive(boolean) keepAlive(false)} opens a
 * connection per call instead.
 *
 * <p><b>Threading.</b> Safe for concurrent use; calls are serialized per router.
 *
 * <p><b>Errors.</b> {@link ProviderException} with provider {@value #PROVIDER}: retryable when
 * HAProxy cannot be reached, not retryable when it refuses a command (unknown backend, static
 * algorithm) or the split cannot be routed (a release with weight but no READY instance). On
 * failure the weights set before the call are restored where HAProxy allows.
 */
public final class HaproxyRouter implements Router, AutoCloseable {
  /** The provider name. */
  public static final String PROVIDER = "haproxy";

  /** The largest weight HAProxy accepts for a server. */
  public static final int MAX_WEIGHT = 256;

  private static final Logger LOG = LoggerFactory.getLogger(HaproxyRouter.class);
  private static final String MARKER = "none";

  /** One server as {@code show servers state} reports it. */
  record ServerState(
      String name, String addr, int port, int opState, int adminState, int userWeight) {
    /** Whether it takes new requests, and with which weight. */
    int effectiveWeight() {
      return opState == 2 && adminState == 0 ? userWeight : 0;
    }
  }

  /** What this router wants a server to be. */
  private record Desired(
      String name, String releaseId, String host, int port, int weight, boolean marker) {}

  private final RuntimeApi api;
  private final Function<String, String> backendOf;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final Duration reapInterval;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, TrafficSplit> lastApplied = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Integer>> lastWeights = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> pendingDelete = new ConcurrentHashMap<>();
  private final Map<String, AppliedOperations> operations = new ConcurrentHashMap<>();
  // The server state HAProxy reported after this router's last batch, per backend: the next batch's
  // "before".
  private final Map<String, Map<String, ServerState>> known = new ConcurrentHashMap<>();
  private @Nullable ScheduledFuture<?> reaper;

  private HaproxyRouter(Builder b) {
    this.api = new RuntimeApi(b.socket, RuntimeApi.DEFAULT_IDLE_TIMEOUT, b.keepAlive);
    this.backendOf = b.backendOf;
    this.reapInterval = b.reapInterval;
    if (b.scheduler != null) {
      this.scheduler = b.scheduler;
      this.ownsScheduler = false;
    } else {
      ScheduledThreadPoolExecutor s =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread t = new Thread(r, "cutover-haproxy-reaper");
                t.setDaemon(true);
                return t;
              });
      s.setRemoveOnCancelPolicy(true);
      this.scheduler = s;
      this.ownsScheduler = true;
    }
  }

  /** A builder for a router talking to the admin socket at {@code socket}. */
  public static Builder builder(Path socket) {
    return new Builder(socket);
  }

  /** The runtime API client in use. */
  public RuntimeApi api() {
    return api;
  }

  /** The backend that carries a service. */
  public String backend(String service) {
    return RuntimeNames.backend(service, backendOf.apply(service));
  }

  // ---------------------------------------------------------------- Router

  @Override
  public void apply(
      OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
    Objects.requireNonNull(op, "op");
    split.validate();
    // Everything that goes into a command is checked before anything is sent.
    String backend = backend(service);
    split.releaseIds().forEach(RuntimeNames::release);
    if (!split.rules().isEmpty() || split.mirror() != null) {
      throw ProviderException.permanent(
          PROVIDER,
          "route",
          "the HAProxy router cannot apply match rules or mirrors at run "
              + "time (split "
              + split
              + "); use the in-process router or write them into the HAProxy configuration");
    }
    AppliedOperations ops = operations.computeIfAbsent(service, k -> new AppliedOperations());
    if (ops.isStale(op)) {
      return;
    }
    Map<String, Desired> desired = desired(service, split, backends);
    lock.lock();
    try {
      List<String> removed = new ArrayList<>();
      Map<String, ServerState> after = applyBatch(backend, desired, removed, true);
      for (Desired d : desired.values()) {
        ServerState s = after.get(d.name);
        int expected = d.marker ? 0 : d.weight;
        if (s == null || s.effectiveWeight() != expected) {
          known.remove(backend);
          throw ProviderException.retryable(
              PROVIDER,
              "route",
              "read back "
                  + (s == null
                      ? "no server"
                      : "weight "
                          + s.effectiveWeight()
                          + " (op state "
                          + s.opState
                          + ", admin state "
                          + s.adminState
                          + ")")
                  + " for "
                  + backend
                  + "/"
                  + d.name
                  + " after setting weight "
                  + expected);
        }
      }
      Map<String, Integer> weights = new LinkedHashMap<>();
      desired.values().forEach(d -> weights.put(d.name, d.marker ? 0 : d.weight));
      lastApplied.put(service, split);
      lastWeights.put(service, weights);
      ops.applied(op);
      if (!removed.isEmpty()) {
        pendingDelete.computeIfAbsent(backend, k -> ConcurrentHashMap.newKeySet()).addAll(removed);
        ensureReaper();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Optional<TrafficSplit> current(String service) {
    String backend = backend(service);
    String answer = api.execute("show servers state " + backend);
    if (answer.contains("Can't find backend")) {
      return Optional.empty();
    }
    Map<String, ServerState> state = parseState(backend, answer);
    Map<String, Long> totals = new LinkedHashMap<>();
    Map<String, Integer> observed = new LinkedHashMap<>();
    for (ServerState s : state.values()) {
      if (!isOurs(s.name) || isPendingDelete(service, s.name)) {
        continue;
      }
      totals.merge(releaseOf(s.name), (long) s.effectiveWeight(), Long::sum);
      observed.put(s.name, s.effectiveWeight());
    }
    TrafficSplit last = lastApplied.get(service);
    if (last != null && observed.equals(lastWeights.get(service))) {
      return Optional.of(last);
    }
    Map<String, Integer> bps = WeightMapping.toBasisPoints(totals);
    return bps == null ? Optional.empty() : Optional.of(TrafficSplit.of(bps));
  }

  /**
   * Stops the background deletion of drained servers (if the router owns its scheduler) and closes
   * the kept runtime-API connection.
   */
  @Override
  public void close() {
    if (reaper != null) {
      reaper.cancel(false);
    }
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
    api.close();
  }

  /** Servers taken out of rotation and not yet deleted (they still had sessions), per backend. */
  public Map<String, Set<String>> pendingDeletions() {
    Map<String, Set<String>> copy = new LinkedHashMap<>();
    pendingDelete.forEach(
        (b, s) -> {
          if (!s.isEmpty()) {
            copy.put(b, Set.copyOf(s));
          }
        });
    return copy;
  }

  // ---------------------------------------------------------------- internals

  private Map<String, Desired> desired(
      String service, TrafficSplit split, Map<String, List<Instance>> backends) {
    Map<String, List<Instance>> ready = new LinkedHashMap<>();
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String releaseId : split.releaseIds()) {
      RuntimeNames.release(releaseId);
      List<Instance> list =
          backends.getOrDefault(releaseId, List.of()).stream()
              .filter(i -> i.state() == InstanceState.READY && i.endpoint() != null)
              .sorted(Comparator.comparing(Instance::id))
              .toList();
      if (split.weight(releaseId) > 0 && list.isEmpty()) {
        throw ProviderException.permanent(
            PROVIDER,
            "route",
            "release "
                + releaseId
                + " of "
                + service
                + " has "
                + split.percent(releaseId)
                + "% of traffic but no READY instance with an endpoint; nothing was changed");
      }
      ready.put(releaseId, list);
      counts.put(releaseId, list.size());
    }
    WeightMapping.Result mapping = WeightMapping.map(split.weights(), counts, MAX_WEIGHT);
    if (!mapping.exact()) {
      LOG.info(
          "split {} of {} cannot be written exactly with HAProxy weights 0..{}; using the closest ratio {}",
          split,
          service,
          MAX_WEIGHT,
          mapping.perServer());
    }
    Map<String, Desired> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<Instance>> e : ready.entrySet()) {
      String releaseId = e.getKey();
      if (e.getValue().isEmpty()) {
        String name = releaseId + ":" + MARKER;
        out.put(name, new Desired(name, releaseId, "127.0.0.1", 1, 0, true));
        continue;
      }
      // The mapping has a weight list for every release that has instances (this loop's releases).
      List<Integer> weights = Objects.requireNonNull(mapping.perServer().get(releaseId), releaseId);
      for (int i = 0; i < e.getValue().size(); i++) {
        Instance inst = e.getValue().get(i);
        String host =
            RuntimeNames.host(
                Objects.requireNonNull(inst.endpoint()).getHost(),
                "backends." + releaseId,
                "instance " + RuntimeNames.printable(inst.id()));
        int port = inst.endpoint().getPort();
        if (port < 0) {
          throw new InvalidSpecException(
              "backends." + releaseId,
              "instance "
                  + inst.id()
                  + " has endpoint "
                  + inst.endpoint()
                  + " without host and port",
              "give instances endpoints such as http://127.0.0.1:8080");
        }
        String name = releaseId + ":" + shortHash(inst.id() + "@" + host + ":" + port);
        out.put(name, new Desired(name, releaseId, host, port, weights.get(i), false));
      }
    }
    return out;
  }

  /**
   * Sends the commands that turn the backend into {@code desired}, followed by {@code show servers
   * state} in the same batch, and returns the state HAProxy reports after the commands. The state
   * before is the one this router last saw (one round trip per change); if HAProxy refuses a
   * command because that state was stale, it is read afresh and the batch is sent once more.
   */
  private Map<String, ServerState> applyBatch(
      String backend, Map<String, Desired> desired, List<String> removed, boolean mayUseCache) {
    Map<String, ServerState> cached = mayUseCache ? known.get(backend) : null;
    Map<String, ServerState> before = cached != null ? cached : readState(backend);
    List<String> commands = new ArrayList<>();
    removed.clear();
    for (Desired d : desired.values()) {
      ServerState s = before.get(d.name);
      String srv = backend + "/" + d.name;
      if (s == null) {
        commands.add("add server " + srv + " " + d.host + ":" + d.port + " weight " + d.weight);
        if (!d.marker) {
          commands.add("set server " + srv + " state ready");
        }
      } else if (!d.marker) {
        if (s.userWeight != d.weight) {
          commands.add("set server " + srv + " weight " + d.weight);
        }
        if (s.adminState != 0) {
          commands.add("set server " + srv + " state ready");
        }
      }
    }
    for (ServerState s : before.values()) {
      if (!desired.containsKey(s.name) && isOurs(s.name)) {
        removed.add(s.name);
        if ((s.adminState & 0x01) == 0) {
          commands.add("set server " + backend + "/" + s.name + " state maint");
        }
      }
    }
    List<String> batch = new ArrayList<>(commands);
    batch.add("show servers state " + backend);
    String answer = api.execute(batch);
    int stateAt = answer.indexOf("# be_id");
    if (stateAt < 0) {
      known.remove(backend);
      throw ProviderException.retryable(
          PROVIDER,
          "route",
          "HAProxy answered without the server state of " + backend + ": " + answer.trim());
    }
    List<String> errors = errors(answer.substring(0, stateAt));
    if (!errors.isEmpty()) {
      known.remove(backend);
      if (cached != null) {
        LOG.debug("state of {} was stale ({}); reading it again", backend, errors);
        return applyBatch(backend, desired, removed, false);
      }
      restore(backend, before, desired);
      throw ProviderException.permanent(
          PROVIDER,
          "route",
          "HAProxy refused the batch for backend "
              + backend
              + ": "
              + String.join(" | ", errors)
              + " (commands: "
              + String.join("; ", commands)
              + ")");
    }
    Map<String, ServerState> after = parseState(backend, answer.substring(stateAt));
    known.put(backend, after);
    return after;
  }

  /** Best effort after a refused batch: put back the weights and states that were in effect. */
  private void restore(
      String backend, Map<String, ServerState> before, Map<String, Desired> desired) {
    List<String> undo = new ArrayList<>();
    Map<String, ServerState> now = readState(backend);
    for (ServerState s : now.values()) {
      ServerState old = before.get(s.name);
      String srv = backend + "/" + s.name;
      if (old == null) {
        if (desired.containsKey(s.name)) {
          undo.add("set server " + srv + " state maint");
          undo.add("del server " + srv);
        }
      } else {
        if (old.userWeight != s.userWeight) {
          undo.add("set server " + srv + " weight " + old.userWeight);
        }
        if (old.adminState == 0 && s.adminState != 0) {
          undo.add("set server " + srv + " state ready");
        }
      }
    }
    if (!undo.isEmpty()) {
      LOG.warn("restoring {} after a refused batch: {}", backend, undo);
      api.execute(undo);
    }
  }

  private Map<String, ServerState> readState(String backend) {
    String answer = api.execute("show servers state " + backend);
    if (answer.contains("Can't find backend")) {
      throw ProviderException.permanent(
          PROVIDER,
          "route",
          "HAProxy has no backend '"
              + backend
              + "' (declare it in the "
              + "configuration with 'backend "
              + backend
              + "' and 'balance roundrobin')");
    }
    return parseState(backend, answer);
  }

  private static Map<String, ServerState> parseState(String backend, String answer) {
    Map<String, ServerState> out = new LinkedHashMap<>();
    for (String line : answer.split("\n")) {
      if (line.isBlank() || line.startsWith("#") || line.trim().equals("1")) {
        continue;
      }
      String[] f = line.trim().split(" ");
      if (f.length < 19 || !f[1].equals(backend)) {
        continue;
      }
      if (f[3].indexOf(';') >= 0) {
        // Found by fuzzing: such a name went back into a command and failed there with an
        // IllegalArgumentException. HAProxy itself never reports one.
        throw ProviderException.permanent(
            PROVIDER,
            "runtime-api",
            "HAProxy answered a server name with ';' for backend "
                + backend
                + ": '"
                + line.trim()
                + "'");
      }
      try {
        out.put(
            f[3],
            new ServerState(
                f[3],
                f[4],
                Integer.parseInt(f[18]),
                Integer.parseInt(f[5]),
                Integer.parseInt(f[6]),
                Integer.parseInt(f[7])));
      } catch (NumberFormatException e) {
        // Found by fuzzing: a garbled state line escaped as a NumberFormatException.
        throw ProviderException.permanent(
            PROVIDER,
            "runtime-api",
            "HAProxy answered an unreadable server state line for backend "
                + backend
                + ": '"
                + line.trim()
                + "'");
      }
    }
    return out;
  }

  private void ensureReaper() {
    if (reaper == null || reaper.isDone()) {
      reaper =
          scheduler.scheduleWithFixedDelay(
              this::reap, reapInterval.toNanos(), reapInterval.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /** Deletes servers in maintenance once they hold no session. */
  private void reap() {
    try {
      for (Map.Entry<String, Set<String>> e : pendingDelete.entrySet()) {
        String backend = e.getKey();
        if (e.getValue().isEmpty()) {
          continue;
        }
        Map<String, Integer> sessions = sessions(backend);
        List<String> deletable = new ArrayList<>();
        for (String name : e.getValue()) {
          Integer scur = sessions.get(name);
          if (scur == null) {
            e.getValue().remove(name);
          } else if (scur == 0) {
            deletable.add(name);
          }
        }
        for (String name : deletable) {
          lock.lock();
          try {
            String answer = api.execute("del server " + backend + "/" + name);
            if (answer.contains("Server deleted") || answer.contains("No such server")) {
              e.getValue().remove(name);
              Map<String, ServerState> cached = known.get(backend);
              if (cached != null) {
                Map<String, ServerState> copy = new LinkedHashMap<>(cached);
                copy.remove(name);
                known.put(backend, copy);
              }
            } else {
              LOG.debug("del server {}/{} not yet possible: {}", backend, name, answer.trim());
            }
          } finally {
            lock.unlock();
          }
        }
      }
    } catch (RuntimeException ex) {
      LOG.warn("deleting drained HAProxy servers failed; will retry", ex);
    }
  }

  /** Current sessions per server of a backend, from {@code show stat}. */
  Map<String, Integer> sessions(String backend) {
    String csv = api.execute("show stat");
    Map<String, Integer> out = new LinkedHashMap<>();
    for (String line : csv.split("\n")) {
      String[] f = line.split(",", -1);
      if (f.length > 4
          && f[0].equals(backend)
          && !f[1].equals("BACKEND")
          && !f[1].equals("FRONTEND")) {
        out.put(f[1], f[4].isEmpty() ? 0 : Integer.parseInt(f[4]));
      }
    }
    return out;
  }

  private boolean isPendingDelete(String service, String name) {
    Set<String> s = pendingDelete.get(backend(service));
    return s != null && s.contains(name);
  }

  private static boolean isOurs(String name) {
    return name.lastIndexOf(':') > 0;
  }

  private static String releaseOf(String name) {
    return name.substring(0, name.lastIndexOf(':'));
  }

  private static List<String> errors(String answer) {
    List<String> errors = new ArrayList<>();
    for (String line : answer.split("\n")) {
      String l = line.trim();
      if (!l.isEmpty()
          && !l.equals("1")
          && !l.equals("New server registered.")
          && !l.equals("Server deleted.")) {
        errors.add(l);
      }
    }
    return errors;
  }

  private static String shortHash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Builds a {@link HaproxyRouter}. Not thread-safe. */
  public static final class Builder {
    private final Path socket;
    private Function<String, String> backendOf = service -> "be_" + service;
    private @Nullable ScheduledExecutorService scheduler;
    private Duration reapInterval = Duration.ofMillis(100);
    private boolean keepAlive = true;

    private Builder(Path socket) {
      this.socket = Objects.requireNonNull(socket, "socket");
    }

    /** How a service's backend is named; default {@code be_<service>}. */
    public Builder backendName(Function<String, String> backendOf) {
      this.backendOf = Objects.requireNonNull(backendOf);
      return this;
    }

    /**
     * The scheduler that deletes drained servers; default one daemon thread owned by the router.
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler);
      return this;
    }

    /** How often drained servers are checked for deletion; default 100 ms. */
    public Builder reapInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new InvalidSpecException("reapInterval", "is " + interval, "use a positive duration");
      }
      this.reapInterval = interval;
      return this;
    }

    /**
     * Whether to keep one runtime-API connection open between calls (HAProxy's interactive mode);
     * default true. A kept connection saves the connection set-up of every change and is checked
     * against reloads on each use (see {@link RuntimeApi}); false opens a connection per call.
     */
    public Builder keepAlive(boolean keepAlive) {
      this.keepAlive = keepAlive;
      return this;
    }

    /** Builds the router. No I/O happens until the first call. */
    public HaproxyRouter build() {
      return new HaproxyRouter(this);
    }
  }
}
