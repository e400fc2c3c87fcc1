// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet;

import io.cutover.api.Artifact;
import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.CutoverException;
import io.cutover.api.Digest;
import io.cutover.api.DigestMismatchException;
import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.provider.local.fleet.internal.ArtifactCache;
import io.cutover.provider.local.fleet.internal.InstanceRecord;
import io.cutover.provider.local.fleet.internal.Launchables;
import io.cutover.provider.local.fleet.internal.PrivateFiles;
import io.cutover.provider.local.fleet.internal.WorkDirectoryLock;
import io.cutover.spi.ArtifactStore;
import io.cutover.spi.Fleet;
import io.cutover.spi.OperationId;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Fleet} of operating-system processes on this machine: each instance of a release is one
 * process started from the artifact's read-only copy, on its own free port of 127.0.0.1.
 *
 * <p><b>Launch.</b> The artifact is started as its {@link LaunchSpec} says (an executable jar with
 * {@code java -jar}, or a directory with its start command inside the artifact), read only from its
 * {@link io.cutover.provider.local.store.LaunchManifest} and config blob, both checked against the
 * digests naming them — never from the store's mutable description. Its content is fetched through
 * the store (which verifies it) into a content-addressed, read-only directory of the fleet (the
 * whole blob is verified before a directory artifact is unpacked, and an archive reaching outside
 * its directory or over the {@link ArtifactLimits} is refused with {@link
 * UnsafeArtifactException}), and hashed again before every launch: a file modified on disk is
 * refused with a non-retryable {@link ProviderException} caused by {@link DigestMismatchException},
 * and running instances report what is on disk as their {@link Instance#runningDigest() running
 * digest}, so the engine sees the drift. The process gets a clean environment: {@code PORT}, {@code
 * CUTOVER_SERVICE}, {@code CUTOVER_RELEASE}, {@code CUTOVER_INSTANCE}, {@code CUTOVER_ARTIFACT},
 * the release's configuration (from the {@link ConfigSource}, checked against the release's digest;
 * keys become environment names such as {@code db.url -> DB_URL}) with every {@code ${secret:NAME}}
 * resolved by the {@link SecretResolver} at that moment only, and a few variables of the engine's
 * own environment ({@code PATH}, {@code HOME}, {@code LANG}, {@code TZ} by default). Standard
 * output and error go to {@code <workDir>/instances/<id>/stdout.log} and {@code stderr.log}. {@link
 * #launch} returns once every instance answers its readiness path with 2xx, or fails (stopping what
 * it started) after the readiness timeout.
 *
 * <p><b>Idempotency and restarts.</b> Instance ids derive from the operation id, so a repeated
 * launch returns the instances it already started, also when two calls with one operation id
 * overlap: deciding that an id needs a process and starting it is one atomic step. Each instance's
 * pid, port and process start time live in {@code instances/<id>/instance.json}: a new fleet over
 * the same work directory (an engine restart) adopts the processes still running and reports the
 * others FAILED. Closing the fleet does not stop instances; {@link #retire} and {@link #stopAll}
 * do.
 *
 * <p><b>Work directory.</b> Locked for as long as the fleet is open ({@code fleet.lock}): a second
 * fleet over it, in this JVM or another process, gets {@link FleetDirectoryLockedException}. Its
 * directories are created 0700, instance records and logs 0600.
 *
 * <p><b>Stopping.</b> SIGTERM, then SIGKILL after the grace period if the process is still there.
 *
 * <p><b>Crashes.</b> A process that exits unasked is FAILED under {@link CrashPolicy#REPORT} (a
 * {@link FleetHealthGate} then fails the rollout), or restarted in the same slot (same id and port)
 * under {@link CrashPolicy#REPLACE}, up to the restart limit. {@link Listener}s hear about both.
 *
 * <p><b>Time.</b> Waits (readiness polling, grace periods) run on the injected scheduler against
 * the injected clock; nothing sleeps.
 *
 * <p><b>Threading.</b> Safe for concurrent use. {@link #launch}, {@link #scale} and {@link #retire}
 * block the calling thread until done (the engine calls them on its provider executor).
 *
 * <p><b>Errors.</b> Bad input (no configuration for the release, unknown secret, artifact without
 * launch information) is {@link InvalidSpecException} before any process starts; failures to start
 * or become ready are {@link ProviderException} with provider {@value #PROVIDER}.
 */
public final class LocalProcessFleet implements Fleet, AutoCloseable {
  /** The provider name. */
  public static final String PROVIDER = "local-process";

  private static final Logger LOG = LoggerFactory.getLogger(LocalProcessFleet.class);
  private static final Pattern SECRET_REF = Pattern.compile("\\$\\{secret:([A-Za-z0-9_./-]+)}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Duration POLL = Duration.ofMillis(50);

  /**
   * Hears about instances that changed state without being asked (crashes, restarts). Called on the
   * fleet's scheduler; must be fast and must not throw.
   */
  @FunctionalInterface
  public interface Listener {
    /**
     * An instance crashed ({@code FAILED}) or was restarted after a crash ({@code READY} again).
     */
    void onInstanceEvent(Instance instance, String what);
  }

  /**
   * One instance slot: the record, the live process, the state. Written only under its own monitor;
   * every mutable field is volatile because the query methods ({@link #instances}, {@link
   * #process}, readiness polling) read them without taking the monitor, and must see the latest
   * write. Reads that need several fields to agree take a {@link #view} under the monitor.
   */
  private final class Slot {
    volatile InstanceRecord rec;
    volatile @Nullable ProcessHandle handle;
    volatile InstanceState state;
    volatile boolean stopping;
    volatile int generation;
    final long seq = sequence.incrementAndGet();
    volatile @Nullable Map<String, String> env;
    volatile @Nullable List<String> command;

    /** Why the slot is FAILED (reported as {@link Instance#reason()}); null otherwise. */
    volatile @Nullable String reason;

    Slot(InstanceRecord rec, InstanceState state) {
      this.rec = rec;
      this.state = state;
    }

    Path dir() {
      return instancesDir.resolve(rec.id());
    }

    /** The record and state as one consistent pair. */
    synchronized View view() {
      return new View(rec, state, state == InstanceState.FAILED ? reason : null);
    }

    /** Whether the slot's process runs and the slot is not over. */
    synchronized boolean live() {
      ProcessHandle h = handle;
      return !state.isTerminal() && h != null && h.isAlive();
    }

    synchronized void setState(InstanceState s) {
      state = s;
      persist();
    }

    /** FAILED, for {@code why} (a line without secrets). */
    synchronized void fail(String why) {
      reason = why;
      setState(InstanceState.FAILED);
    }

    synchronized void persist() {
      try {
        rec = rec.withState(state.name());
        rec.write(dir().resolve("instance.json"));
      } catch (IOException e) {
        LOG.warn("could not write the record of instance {}", rec.id(), e);
      }
    }
  }

  private final Path workDir;
  private final Path instancesDir;
  private final ArtifactStore store;
  private final ArtifactCache cache;
  private final ConfigSource configs;
  private final SecretResolver secrets;
  private final InstantSource clock;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final Duration readyTimeout;
  private final Duration gracePeriod;
  private final CrashPolicy crashPolicy;
  private final int maxRestarts;
  private final List<String> inheritedEnv;
  private final Path javaExecutable;
  private final HttpClient http;
  private final Map<String, Slot> slots = new ConcurrentHashMap<>();
  // Deciding whether an instance id needs a process and starting it is one step under this lock, so
  // two calls with the same operation id (a retry overlapping the attempt it replaces, two engines'
  // calls) never both start a process for one id and orphan one of them. Held only while spawning
  // (a fork), never while waiting for readiness.
  private final ReentrantLock launches = new ReentrantLock();
  private final WorkDirectoryLock directoryLock;
  private final AtomicLong sequence = new AtomicLong();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  private LocalProcessFleet(Builder b) {
    this.workDir = open(b.workDir.toAbsolutePath().normalize());
    this.instancesDir = workDir.resolve("instances");
    this.store = Objects.requireNonNull(b.store, "store");
    try {
      this.directoryLock = WorkDirectoryLock.acquire(workDir);
    } catch (IOException e) {
      throw ProviderException.permanent(
          PROVIDER, "open", "cannot lock the work directory " + workDir + ": " + e, e);
    }
    this.configs = b.configs;
    this.secrets = b.secrets;
    this.clock = b.clock;
    if (b.scheduler != null) {
      this.scheduler = b.scheduler;
      this.ownsScheduler = false;
    } else {
      ScheduledThreadPoolExecutor s =
          new ScheduledThreadPoolExecutor(
              2,
              r -> {
                Thread t = new Thread(r, "cutover-local-fleet");
                t.setDaemon(true);
                return t;
              });
      s.setRemoveOnCancelPolicy(true);
      this.scheduler = s;
      this.ownsScheduler = true;
    }
    this.readyTimeout = b.readyTimeout;
    this.gracePeriod = b.gracePeriod;
    this.crashPolicy = b.crashPolicy;
    this.maxRestarts = b.maxRestarts;
    this.inheritedEnv = List.copyOf(b.inheritedEnv);
    this.javaExecutable = b.java;
    this.listeners.addAll(b.listeners);
    this.http =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).executor(scheduler).build();
    try {
      PrivateFiles.createDirectories(instancesDir);
      this.cache = new ArtifactCache(workDir.resolve("artifacts"), store, b.artifactLimits);
      adopt();
    } catch (IOException | RuntimeException e) {
      close();
      if (e instanceof IOException) {
        throw ProviderException.permanent(
            PROVIDER, "open", "cannot create " + instancesDir + ": " + e.getMessage(), e);
      }
      throw (RuntimeException) e;
    }
  }

  /** Creates the work directory (0700) if needed and returns its real path, which is locked. */
  private static Path open(Path dir) {
    try {
      return PrivateFiles.createDirectories(dir).toRealPath();
    } catch (IOException e) {
      throw ProviderException.permanent(
          PROVIDER,
          "open",
          "cannot create or resolve the work directory " + dir + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * A builder for a fleet that keeps its state under {@code workDir} and reads artifacts from
   * {@code store}.
   */
  public static Builder builder(Path workDir, ArtifactStore store) {
    return new Builder(workDir, store);
  }

  // ---------------------------------------------------------------- Fleet

  @Override
  public List<Instance> launch(OperationId op, Release release, int replicas) {
    if (replicas < 1) {
      throw new InvalidSpecException(
          "launch.replicas", "is " + replicas, "launch at least 1 replica");
    }
    Prepared p = prepare(release);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      ids.add(instanceId(release, op, i));
    }
    return startAll(op, release, p, ids);
  }

  @Override
  public List<Instance> scale(OperationId op, Release release, int replicas) {
    if (replicas < 0) {
      throw new InvalidSpecException("scale.replicas", "is " + replicas, "use 0 or more");
    }
    List<Slot> live = liveSlots(release);
    if (live.size() < replicas) {
      Prepared p = prepare(release);
      List<String> ids = new ArrayList<>();
      for (Slot s : live) {
        ids.add(s.rec.id());
      }
      for (int i = 0; ids.size() < replicas; i++) {
        String id = instanceId(release, op, i);
        if (!ids.contains(id)) {
          ids.add(id);
        }
      }
      return startAll(op, release, p, ids);
    }
    // The newest go first: the oldest instances have proven themselves longest.
    List<Slot> surplus = live.subList(replicas, live.size());
    stopSlots(new ArrayList<>(surplus));
    return liveSlots(release).stream().map(this::toInstance).toList();
  }

  @Override
  public void drain(OperationId op, Release release) {
    for (Slot s : liveSlots(release)) {
      synchronized (s) {
        if (s.state == InstanceState.READY || s.state == InstanceState.PENDING) {
          s.setState(InstanceState.DRAINING);
        }
      }
    }
  }

  @Override
  public void retire(OperationId op, Release release) {
    List<Slot> victims =
        slots.values().stream()
            .filter(
                s ->
                    s.rec.releaseId().equals(release.id())
                        && s.view().state() != InstanceState.TERMINATED)
            .toList();
    stopSlots(victims);
  }

  /**
   * Stops one instance (SIGTERM, grace, SIGKILL) and waits for it; the release's other instances
   * keep running. Succeeds if the instance is already stopped or not one of {@code service}'s.
   */
  @Override
  public void retireInstance(OperationId op, String service, String instanceId) {
    Slot s = slots.get(Objects.requireNonNull(instanceId, "instanceId"));
    if (s == null
        || !s.rec.service().equals(service)
        || s.view().state() == InstanceState.TERMINATED) {
      return;
    }
    stopSlots(List.of(s));
  }

  @Override
  public List<Instance> instances(String service) {
    return slots.values().stream()
        .filter(
            s -> s.rec.service().equals(service) && s.view().state() != InstanceState.TERMINATED)
        .sorted(Comparator.comparing((Slot s) -> s.rec.id()))
        .map(this::toInstance)
        .toList();
  }

  // ---------------------------------------------------------------- beyond the SPI

  /** Adds a listener for crashes and restarts. */
  public void addListener(Listener listener) {
    listeners.add(Objects.requireNonNull(listener));
  }

  /** The directory holding an instance's logs and record. */
  public Path instanceDirectory(String instanceId) {
    return instancesDir.resolve(instanceId);
  }

  /** The operating-system process of a running instance, if it runs. */
  public Optional<ProcessHandle> process(String instanceId) {
    Slot s = slots.get(instanceId);
    ProcessHandle h = s == null ? null : s.handle;
    return h == null || !h.isAlive() ? Optional.empty() : Optional.of(h);
  }

  /** How many times an instance was restarted after a crash. */
  public int restarts(String instanceId) {
    Slot s = slots.get(instanceId);
    return s == null ? 0 : s.rec.restarts();
  }

  /** Stops every instance of every service (SIGTERM, grace, SIGKILL) and waits for them. */
  public void stopAll() {
    stopSlots(
        slots.values().stream().filter(s -> s.view().state() != InstanceState.TERMINATED).toList());
  }

  /**
   * Stops the fleet's own threads and releases the work directory. Instances keep running: a new
   * fleet over the same work directory adopts them. Call {@link #stopAll} first to stop them too.
   */
  @Override
  public void close() {
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
    try {
      directoryLock.close();
    } catch (IOException e) {
      LOG.warn("could not release the lock of work directory {}", workDir, e);
    }
  }

  // ---------------------------------------------------------------- launching

  /** Everything a launch needs, validated before the first process starts. */
  private record Prepared(
      LaunchSpec spec,
      ArtifactRef content,
      Path path,
      Map<String, String> env,
      List<String> command) {}

  private Prepared prepare(Release release) {
    Artifact artifact;
    try {
      artifact = store.describe(release.artifact());
    } catch (NoSuchElementException e) {
      throw new InvalidSpecException(
          "release.artifact",
          release.artifact() + " is not in the artifact store",
          "put the artifact into the store before deploying it");
    } catch (DigestMismatchException e) {
      // The store reads a launch manifest's labels from under its digest, and checks it.
      throw ProviderException.permanent(
          PROVIDER,
          "launch",
          "refusing to launch "
              + release.id()
              + ": the artifact's manifest or config does not match its digest (modified in the"
              + " store: drift): "
              + e.getMessage(),
          e);
    }
    Launchables.Launchable launchable = launchable(release, artifact);
    LaunchSpec spec = launchable.spec();
    Map<String, String> config =
        configs
            .find(release.config())
            .orElseThrow(
                () ->
                    new InvalidSpecException(
                        "release.config",
                        "the fleet knows no configuration with digest " + release.config().digest(),
                        "register the configuration with the fleet's ConfigSource (ConfigSource.Registry.register)"));
    if (!ConfigRef.of(config).equals(release.config())) {
      throw new InvalidSpecException(
          "release.config",
          "the ConfigSource returned values that do not hash to " + release.config().digest(),
          "fix the ConfigSource: it must return the exact snapshot of the release");
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(config).entrySet()) {
      env.put(envName(e.getKey()), resolveSecrets(e.getKey(), e.getValue()));
    }
    Path path;
    try {
      path = cache.materialize(launchable.content(), spec.kind());
    } catch (DigestMismatchException e) {
      throw ProviderException.permanent(
          PROVIDER,
          "launch",
          "refusing to launch "
              + release.id()
              + ": the artifact's content does not match its digest (modified in the store or on"
              + " disk: drift): "
              + e.getMessage(),
          e);
    } catch (UnsafeArtifactException e) {
      throw ProviderException.permanent(
          PROVIDER, "launch", "refusing to launch " + release.id() + ": " + e.getMessage(), e);
    } catch (IOException | UncheckedIOException e) {
      throw ProviderException.retryable(
          PROVIDER, "launch", "cannot materialize " + release.artifact() + ": " + e, e);
    }
    try {
      return new Prepared(
          spec, launchable.content(), path, env, command(spec, path, launchable.content()));
    } catch (UnsafeArtifactException e) {
      throw ProviderException.permanent(
          PROVIDER, "launch", "refusing to launch " + release.id() + ": " + e.getMessage(), e);
    }
  }

  /** How to run the release's artifact, from data its digest covers only. */
  private Launchables.Launchable launchable(Release release, Artifact artifact) {
    try {
      return Launchables.resolve(store, artifact);
    } catch (DigestMismatchException e) {
      throw ProviderException.permanent(
          PROVIDER,
          "launch",
          "refusing to launch "
              + release.id()
              + ": its launch manifest does not match its digest (modified in the store): "
              + e.getMessage(),
          e);
    } catch (UnsafeArtifactException e) {
      throw ProviderException.permanent(
          PROVIDER, "launch", "refusing to launch " + release.id() + ": " + e.getMessage(), e);
    } catch (NoSuchElementException e) {
      throw ProviderException.permanent(
          PROVIDER,
          "launch",
          "refusing to launch "
              + release.id()
              + ": a blob its launch manifest names is not in the store: "
              + e.getMessage(),
          e);
    } catch (IOException | UncheckedIOException e) {
      throw ProviderException.retryable(
          PROVIDER,
          "launch",
          "cannot read the launch manifest of " + release.artifact() + ": " + e,
          e);
    }
  }

  private String resolveSecrets(String key, String value) {
    Matcher m = SECRET_REF.matcher(value);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String resolved;
      try {
        resolved = secrets.resolve(m.group(1));
      } catch (InvalidSpecException e) {
        throw new InvalidSpecException(
            "config." + key,
            "refers to secret '"
                + m.group(1)
                + "', which cannot be "
                + "resolved: "
                + e.getMessage(),
            "make the secret available to the fleet's SecretResolver");
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(resolved));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static String envName(String key) {
    if (ENV_NAME.matcher(key).matches()) {
      return key;
    }
    return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_");
  }

  private List<Instance> startAll(OperationId op, Release release, Prepared p, List<String> ids) {
    List<Slot> started = new ArrayList<>();
    List<CompletableFuture<Void>> ready = new ArrayList<>();
    List<Slot> all = new ArrayList<>();
    RuntimeException failure = null;
    launches.lock();
    try {
      for (String id : ids) {
        Slot existing = slots.get(id);
        if (existing != null && existing.live()) {
          all.add(existing);
          if (existing.state == InstanceState.PENDING) {
            ready.add(probe(existing, existing.generation));
          }
          continue;
        }
        Slot s = start(id, op, release, p, existing == null ? 0 : existing.rec.restarts());
        started.add(s);
        all.add(s);
        ready.add(probe(s, s.generation));
      }
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      launches.unlock();
    }
    if (failure != null) {
      stopSlots(started);
      throw failure;
    }
    try {
      CompletableFuture.allOf(ready.toArray(new CompletableFuture<?>[0])).get();
    } catch (ExecutionException e) {
      stopSlots(started);
      Throwable cause = e.getCause();
      String why = "failed readiness: " + (cause == null ? e.getMessage() : cause.getMessage());
      started.forEach(s -> s.fail(why));
      if (cause instanceof ProviderException pe) {
        throw pe;
      }
      throw ProviderException.retryable(PROVIDER, "launch", String.valueOf(cause), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopSlots(started);
      throw ProviderException.retryable(
          PROVIDER, "launch", "interrupted while waiting for readiness", e);
    }
    return all.stream().map(this::toInstance).toList();
  }

  private Slot start(String id, OperationId op, Release release, Prepared p, int restarts) {
    int port = freePort();
    InstanceRecord rec =
        new InstanceRecord(
            id,
            release.service(),
            release.id(),
            release.artifact().toString(),
            release.config().digest().toString(),
            p.spec().kind().name(),
            p.spec().readyPath(),
            port,
            -1,
            null,
            InstanceState.PENDING.name(),
            restarts,
            op.value(),
            p.content().toString());
    Slot s = new Slot(rec, InstanceState.PENDING);
    Map<String, String> env = new LinkedHashMap<>();
    for (String name : inheritedEnv) {
      String v = System.getenv(name);
      if (v != null) {
        env.put(name, v);
      }
    }
    env.putAll(p.env());
    env.put("PORT", Integer.toString(port));
    env.put("CUTOVER_SERVICE", release.service());
    env.put("CUTOVER_RELEASE", release.id());
    env.put("CUTOVER_INSTANCE", id);
    env.put("CUTOVER_ARTIFACT", release.artifact().toString());
    s.env = env;
    s.command = p.command();
    slots.put(id, s);
    spawn(s);
    return s;
  }

  private List<String> command(LaunchSpec spec, Path path, ArtifactRef content) {
    List<String> cmd = new ArrayList<>();
    if (spec.kind() == LaunchSpec.Kind.JAR) {
      cmd.add(javaExecutable.toString());
      cmd.addAll(spec.javaOptions());
      cmd.add("-jar");
      cmd.add(path.toString());
    } else {
      String first = spec.command().get(0);
      Path program = path.resolve(first).normalize();
      // LaunchSpec refused absolute and '..' paths already; this holds whatever the spec says.
      if (!program.startsWith(path)) {
        throw new UnsafeArtifactException(
            content.toString(),
            "launch command '" + first + "'",
            "resolves outside the artifact",
            "name a program of the artifact relative to its root, e.g. bin/server");
      }
      cmd.add(program.toString());
      cmd.addAll(spec.command().subList(1, spec.command().size()));
    }
    return cmd;
  }

  /** Starts the slot's process; the slot keeps its id and port. */
  private void spawn(Slot s) {
    synchronized (s) {
      try {
        Path dir = s.dir();
        PrivateFiles.createDirectories(dir);
        // Created 0600 before the process appends to them: what an instance prints is its own.
        PrivateFiles.createFileIfAbsent(dir.resolve("stdout.log"));
        PrivateFiles.createFileIfAbsent(dir.resolve("stderr.log"));
        ProcessBuilder pb =
            new ProcessBuilder(Objects.requireNonNull(s.command))
                .directory(dir.toFile())
                .redirectOutput(
                    ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("stderr.log").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(Objects.requireNonNull(s.env));
        Process process = pb.start();
        ProcessHandle h = process.toHandle();
        s.handle = h;
        s.stopping = false;
        s.generation++;
        s.state = InstanceState.PENDING;
        s.rec =
            s.rec.withProcess(h.pid(), startOf(h), InstanceState.PENDING.name(), s.rec.restarts());
        s.persist();
        watch(s, h, s.generation);
      } catch (IOException e) {
        s.reason = "could not start its process: " + e.getMessage();
        s.state = InstanceState.FAILED;
        s.persist();
        throw ProviderException.permanent(
            PROVIDER, "launch", "cannot start " + s.command + ": " + e.getMessage(), e);
      }
    }
  }

  private void watch(Slot s, ProcessHandle h, int generation) {
    h.onExit().thenRunAsync(() -> exited(s, generation), scheduler);
  }

  private void exited(Slot s, int generation) {
    // Under the launch lock, so that a launch of the same instance id either sees the slot before
    // this decision (and replaces it; then this slot is no longer registered and nothing restarts)
    // or after the restart (and adopts the new process).
    launches.lock();
    try {
      exitedLocked(s, generation);
    } finally {
      launches.unlock();
    }
  }

  private void exitedLocked(Slot s, int generation) {
    boolean restart;
    synchronized (s) {
      if (s.generation != generation
          || s.stopping
          || s.state.isTerminal()
          || slots.get(s.rec.id()) != s) {
        return;
      }
      boolean canRestart =
          crashPolicy == CrashPolicy.REPLACE
              && s.rec.restarts() < maxRestarts
              && s.command != null
              && s.state != InstanceState.PENDING;
      LOG.warn(
          "instance {} (pid {}) exited unexpectedly; {}",
          s.rec.id(),
          s.rec.pid(),
          canRestart ? "restarting it in the same slot" : "marking it FAILED");
      if (!canRestart) {
        s.fail(
            "its process (pid "
                + s.rec.pid()
                + ") exited unexpectedly"
                + (crashPolicy == CrashPolicy.REPLACE
                    ? " after " + s.rec.restarts() + " restarts"
                    : ""));
      } else {
        // PENDING at once: until the replacement passes readiness nobody may see the dead process
        // as READY.
        s.state = InstanceState.PENDING;
        s.rec = s.rec.withProcess(-1, null, InstanceState.PENDING.name(), s.rec.restarts() + 1);
      }
      restart = canRestart;
    }
    if (!restart) {
      notifyListeners(s, "crashed");
      return;
    }
    try {
      spawn(s);
      probe(s, s.generation)
          .whenComplete((ok, err) -> notifyListeners(s, err == null ? "restarted" : "crashed"));
    } catch (RuntimeException e) {
      s.fail("restart after a crash failed: " + e.getMessage());
      notifyListeners(s, "crashed");
    }
  }

  private void notifyListeners(Slot s, String what) {
    Instance i = toInstance(s);
    for (Listener l : listeners) {
      try {
        l.onInstanceEvent(i, what);
      } catch (RuntimeException e) {
        LOG.warn("fleet listener failed", e);
      }
    }
  }

  /** Polls the readiness path until 2xx, the process exits, or the timeout passes. */
  private CompletableFuture<Void> probe(Slot s, int generation) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Instant deadline = clock.instant().plus(readyTimeout);
    URI uri = URI.create("http://127.0.0.1:" + s.rec.port() + s.rec.readyPath());
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build();
    Runnable[] attempt = new Runnable[1];
    attempt[0] =
        () -> {
          ProcessHandle h = s.handle;
          if (s.generation != generation || s.stopping) {
            done.completeExceptionally(
                ProviderException.retryable(
                    PROVIDER,
                    "launch",
                    "instance " + s.rec.id() + " was stopped before it became ready"));
            return;
          }
          if (h == null || !h.isAlive()) {
            done.completeExceptionally(
                ProviderException.permanent(
                    PROVIDER,
                    "launch",
                    "instance "
                        + s.rec.id()
                        + " exited before it became ready; see "
                        + s.dir().resolve("stderr.log")));
            return;
          }
          http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
              .whenComplete(
                  (resp, err) -> {
                    if (err == null && resp.statusCode() / 100 == 2) {
                      synchronized (s) {
                        if (s.generation == generation && s.state == InstanceState.PENDING) {
                          s.setState(InstanceState.READY);
                        }
                      }
                      done.complete(null);
                    } else if (!clock.instant().isBefore(deadline)) {
                      done.completeExceptionally(
                          ProviderException.retryable(
                              PROVIDER,
                              "launch",
                              "instance "
                                  + s.rec.id()
                                  + " did not answer "
                                  + uri
                                  + " with 2xx within "
                                  + readyTimeout
                                  + " (last: "
                                  + (err != null
                                      ? err.getClass().getSimpleName()
                                      : "HTTP " + resp.statusCode())
                                  + ")"));
                    } else {
                      scheduler.schedule(attempt[0], POLL.toNanos(), TimeUnit.NANOSECONDS);
                    }
                  });
        };
    scheduler.execute(attempt[0]);
    return done;
  }

  // ---------------------------------------------------------------- stopping

  private void stopSlots(List<Slot> victims) {
    List<CompletableFuture<?>> exits = new ArrayList<>();
    for (Slot s : victims) {
      ProcessHandle h;
      synchronized (s) {
        s.stopping = true;
        h = s.handle;
      }
      if (h == null || !h.isAlive()) {
        s.setState(InstanceState.TERMINATED);
        continue;
      }
      h.destroy();
      CompletableFuture<ProcessHandle> exit = h.onExit();
      scheduler.schedule(
          () -> {
            if (h.isAlive()) {
              LOG.warn(
                  "instance {} (pid {}) ignored SIGTERM for {}; sending SIGKILL",
                  s.rec.id(),
                  h.pid(),
                  gracePeriod);
              h.destroyForcibly();
            }
          },
          gracePeriod.toNanos(),
          TimeUnit.NANOSECONDS);
      exits.add(exit.thenRun(() -> s.setState(InstanceState.TERMINATED)));
    }
    try {
      CompletableFuture.allOf(exits.toArray(new CompletableFuture<?>[0])).get();
    } catch (ExecutionException e) {
      throw ProviderException.retryable(
          PROVIDER, "retire", String.valueOf(e.getCause()), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ProviderException.retryable(
          PROVIDER, "retire", "interrupted while stopping instances", e);
    }
  }

  // ---------------------------------------------------------------- adoption

  private void adopt() {
    try (Stream<Path> dirs = Files.list(instancesDir)) {
      for (Path dir : (Iterable<Path>) dirs.sorted()::iterator) {
        Path file = dir.resolve("instance.json");
        if (!Files.isRegularFile(file)) {
          continue;
        }
        InstanceRecord rec;
        try {
          rec = InstanceRecord.read(file);
        } catch (IOException e) {
          LOG.warn("ignoring unreadable instance record {}", file, e);
          continue;
        }
        InstanceState recorded = InstanceState.valueOf(rec.state());
        if (recorded == InstanceState.TERMINATED) {
          continue;
        }
        Optional<ProcessHandle> h =
            ProcessHandle.of(rec.pid())
                .filter(ProcessHandle::isAlive)
                .filter(ph -> Objects.equals(startOf(ph), rec.processStart()));
        Slot s = new Slot(rec, h.isPresent() ? recorded : InstanceState.FAILED);
        if (h.isEmpty()) {
          s.reason = "its process (pid " + rec.pid() + ") is gone since the last engine run";
        }
        if (h.isPresent()) {
          synchronized (s) {
            s.handle = h.get();
            s.generation = 1;
          }
        }
        slots.put(rec.id(), s);
        if (h.isPresent()) {
          watch(s, h.get(), 1);
          if (recorded == InstanceState.PENDING) {
            probe(s, 1);
          }
          LOG.info("adopted instance {} (pid {}, port {})", rec.id(), rec.pid(), rec.port());
        } else if (recorded != InstanceState.FAILED) {
          s.persist();
          LOG.warn(
              "instance {} (pid {}) is gone since the last engine run: FAILED",
              rec.id(),
              rec.pid());
        }
      }
    } catch (IOException e) {
      throw ProviderException.permanent(
          PROVIDER, "open", "cannot read " + instancesDir + ": " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- helpers

  private List<Slot> liveSlots(Release release) {
    return slots.values().stream()
        .filter(s -> s.rec.releaseId().equals(release.id()) && s.live())
        .sorted(Comparator.comparingLong((Slot s) -> s.seq))
        .toList();
  }

  /** A slot's record and state, read together under its monitor. */
  private record View(InstanceRecord rec, InstanceState state, @Nullable String reason) {}

  private Instance toInstance(Slot s) {
    // One consistent snapshot; the hashing below runs without the monitor.
    View v = s.view();
    InstanceRecord r = v.rec();
    Digest running = null;
    try {
      ArtifactRef ref = ArtifactRef.parse(r.artifact());
      // The content on disk is the manifest's layer: when it still hashes to the layer's digest the
      // instance runs the release's artifact; otherwise its own digest shows the drift.
      ArtifactRef content = r.content() == null ? ref : ArtifactRef.parse(r.content());
      Digest onDisk = cache.digestOnDisk(content, LaunchSpec.Kind.valueOf(r.kind()));
      running = content.digest().equals(onDisk) ? ref.digest() : onDisk;
    } catch (IOException | CutoverException e) {
      LOG.warn("cannot hash the artifact of instance {}", r.id(), e);
    }
    Digest config = null;
    try {
      // The configuration the process was started with, checked against this digest at launch.
      config = Digest.parse(r.config(), "instance.config");
    } catch (CutoverException e) {
      LOG.warn("instance {} has an unreadable config digest", r.id(), e);
    }
    return new Instance(
        r.id(),
        r.releaseId(),
        URI.create("http://127.0.0.1:" + r.port()),
        v.state(),
        running,
        config,
        v.reason());
  }

  private static String instanceId(Release release, OperationId op, int index) {
    return release.id() + "-" + Digest.sha256(op.value()).hex().substring(0, 8) + "-" + index;
  }

  private static @Nullable String startOf(ProcessHandle h) {
    return h.info().startInstant().map(Instant::toString).orElse(null);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw ProviderException.retryable(
          PROVIDER, "launch", "no free port on 127.0.0.1: " + e.getMessage(), e);
    }
  }

  /** Builds a {@link LocalProcessFleet}. Not thread-safe. */
  public static final class Builder {
    private final Path workDir;
    private final ArtifactStore store;
    private ConfigSource configs = ConfigSource.EMPTY;
    private SecretResolver secrets = SecretResolver.NONE;
    private InstantSource clock = InstantSource.system();
    private @Nullable ScheduledExecutorService scheduler;
    private Duration readyTimeout = Duration.ofSeconds(30);
    private Duration gracePeriod = Duration.ofSeconds(10);
    private CrashPolicy crashPolicy = CrashPolicy.REPORT;
    private int maxRestarts = 3;
    private List<String> inheritedEnv = List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR");
    private Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    private ArtifactLimits artifactLimits = ArtifactLimits.DEFAULT;
    private final List<Listener> listeners = new ArrayList<>();

    private Builder(Path workDir, ArtifactStore store) {
      this.workDir = Objects.requireNonNull(workDir, "workDir");
      this.store = Objects.requireNonNull(store, "store");
    }

    /** Where configuration values come from; default: only the empty configuration. */
    public Builder configs(ConfigSource configs) {
      this.configs = Objects.requireNonNull(configs);
      return this;
    }

    /** Resolves {@code ${secret:NAME}} at launch; default: refuses every secret. */
    public Builder secrets(SecretResolver secrets) {
      this.secrets = Objects.requireNonNull(secrets);
      return this;
    }

    /** The clock readiness deadlines are measured with; default the system clock. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /**
     * The scheduler for polling and grace periods; default two daemon threads owned by the fleet.
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler);
      return this;
    }

    /** How long an instance may take to answer its readiness path; default 30 s. */
    public Builder readyTimeout(Duration timeout) {
      this.readyTimeout = positive(timeout, "readyTimeout");
      return this;
    }

    /** How long SIGTERM is given before SIGKILL; default 10 s. */
    public Builder gracePeriod(Duration grace) {
      this.gracePeriod = positive(grace, "gracePeriod");
      return this;
    }

    /**
     * What happens when an instance crashes, and how many restarts a slot gets; default REPORT, 3.
     */
    public Builder crashPolicy(CrashPolicy policy, int maxRestarts) {
      if (maxRestarts < 0) {
        throw new InvalidSpecException("maxRestarts", "is " + maxRestarts, "use 0 or more");
      }
      this.crashPolicy = Objects.requireNonNull(policy);
      this.maxRestarts = maxRestarts;
      return this;
    }

    /**
     * Names of the engine's environment variables passed on to instances; default PATH, HOME, LANG,
     * LC_ALL, TZ, TMPDIR.
     */
    public Builder inheritEnvironment(List<String> names) {
      this.inheritedEnv = List.copyOf(names);
      return this;
    }

    /** The java executable for jar artifacts; default the one running the engine. */
    public Builder java(Path java) {
      this.java = Objects.requireNonNull(java);
      return this;
    }

    /**
     * Caps on the artifacts the fleet copies and unpacks (entries, bytes); default {@link
     * ArtifactLimits#DEFAULT}.
     */
    public Builder artifactLimits(ArtifactLimits limits) {
      this.artifactLimits = Objects.requireNonNull(limits);
      return this;
    }

    /** Adds a listener for crashes and restarts. */
    public Builder listener(Listener listener) {
      listeners.add(Objects.requireNonNull(listener));
      return this;
    }

    /**
     * Builds the fleet and adopts instances recorded under the work directory.
     *
     * @throws ProviderException if the work directory cannot be used
     */
    public LocalProcessFleet build() {
      return new LocalProcessFleet(this);
    }

    private static Duration positive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new InvalidSpecException(name, "is " + d, "use a positive duration");
      }
      return d;
    }
  }
}
