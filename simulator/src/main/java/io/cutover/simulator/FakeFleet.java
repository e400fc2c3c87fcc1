// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator;

import io.cutover.api.Digest;
import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.spi.Fleet;
import io.cutover.spi.OperationId;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Fleet} whose instances exist only in memory: launches are instant, every instance is
 * READY at once, serves at a made-up endpoint {@code http://127.0.0.1:<port>} (nothing listens
 * there) and runs its release's artifact digest.
 *
 * <p><b>Idempotency.</b> Every mutating call is remembered by {@link OperationId}: the same id
 * again performs nothing and returns what the first call returned (the instances in their current
 * state). Reusing an id for a different effect (another kind, release or replica count) is a bug in
 * the caller and fails with {@link InvalidSpecException}. A call that failed is not remembered, so
 * a retry with the same id tries again.
 *
 * <p><b>Recording.</b> {@link #calls()} lists every mutating call, repeats and failures included;
 * {@link #effects(OperationId)} says how many times an operation changed the fleet (0 or 1).
 *
 * <p><b>Faults.</b> {@link #failReadiness(String)} makes launches of a release fail readiness (a
 * non-retryable {@link ProviderException}, no instance left behind); {@link #crash(String)} turns
 * an instance FAILED; {@link #drift(String, Digest)} and {@link #driftConfig(String, Digest)} make
 * it report another running artifact or config digest. Instances report their release's config
 * digest as {@link Instance#runningConfig()}, and {@link #retireInstance} stops one instance.
 *
 * <p>{@link #instances(String)} lists every instance of the service that was not stopped on
 * purpose: FAILED instances stay visible until retired, as a real fleet would report crashed units.
 *
 * <p><b>Threading.</b> Thread-safe; listeners ({@link #onInstanceChange}) are called on the thread
 * that made the change, after it was made, outside the fleet's lock.
 */
public final class FakeFleet implements Fleet {

  /** The first made-up port; instances get consecutive ports from here. */
  public static final int FIRST_PORT = 40_000;

  /** The kinds of mutating calls. */
  public enum CallKind {
    /** {@link Fleet#launch}. */
    LAUNCH,
    /** {@link Fleet#scale}. */
    SCALE,
    /** {@link Fleet#drain}. */
    DRAIN,
    /** {@link Fleet#retire}. */
    RETIRE,
    /** {@link Fleet#retireInstance}: the call's replicas are 0, its release the instance's. */
    RETIRE_INSTANCE
  }

  /**
   * One mutating call as received.
   *
   * @param op its operation id
   * @param kind what was asked
   * @param release the release it concerned
   * @param replicas the replicas asked for (launch, scale), 0 otherwise
   * @param outcome what the fleet did
   */
  public record Call(
      OperationId op, CallKind kind, Release release, int replicas, Outcome outcome) {}

  /** What a call did. */
  public enum Outcome {
    /** The call changed the fleet. */
    APPLIED,
    /** A repeated operation id: nothing changed. */
    REPEATED,
    /** The call failed (injected fault or bad input); nothing changed. */
    FAILED
  }

  private record Effect(CallKind kind, Release release, int replicas, List<String> instanceIds) {}

  private final Map<String, Instance> instances = new LinkedHashMap<>();
  private final Map<String, String> serviceOf = new HashMap<>();
  private final Map<String, Release> releaseOf = new HashMap<>();
  private final Map<OperationId, Effect> done = new HashMap<>();
  private final Map<OperationId, Integer> effects = new HashMap<>();
  private final List<Call> calls = new ArrayList<>();
  private final Set<String> failingReadiness = new HashSet<>();
  private final List<Consumer<Instance>> listeners = new CopyOnWriteArrayList<>();
  private int nextInstance = 1;

  private FakeFleet() {}

  /** An empty fleet. */
  public static FakeFleet create() {
    return new FakeFleet();
  }

  // ---------------------------------------------------------------- the SPI

  @Override
  public List<Instance> launch(OperationId op, Release release, int replicas) {
    requireCall(op, release);
    if (replicas < 1) {
      record(op, CallKind.LAUNCH, release, replicas, Outcome.FAILED);
      throw new InvalidSpecException(
          "launch.replicas", "is " + replicas, "launch at least 1 replica");
    }
    List<Instance> changed = new ArrayList<>();
    List<Instance> result;
    synchronized (this) {
      Effect previous = repeated(op, CallKind.LAUNCH, release, replicas);
      if (previous != null) {
        return currentOf(previous.instanceIds());
      }
      checkReadiness(op, CallKind.LAUNCH, release, replicas);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < replicas; i++) {
        Instance started = start(release);
        ids.add(started.id());
        changed.add(started);
      }
      applied(op, new Effect(CallKind.LAUNCH, release, replicas, ids));
      result = currentOf(ids);
    }
    notifyListeners(changed);
    return result;
  }

  @Override
  public List<Instance> scale(OperationId op, Release release, int replicas) {
    requireCall(op, release);
    if (replicas < 0) {
      record(op, CallKind.SCALE, release, replicas, Outcome.FAILED);
      throw new InvalidSpecException("scale.replicas", "is " + replicas, "use 0 or more");
    }
    List<Instance> changed = new ArrayList<>();
    List<Instance> result;
    synchronized (this) {
      if (repeated(op, CallKind.SCALE, release, replicas) != null) {
        return running(release.id());
      }
      List<Instance> live = running(release.id());
      if (live.size() < replicas) {
        checkReadiness(op, CallKind.SCALE, release, replicas);
        for (int i = live.size(); i < replicas; i++) {
          changed.add(start(release));
        }
      } else {
        // Stop the newest first, as scale-down usually does.
        for (int i = live.size() - 1; i >= replicas; i--) {
          changed.add(set(live.get(i), InstanceState.TERMINATED));
        }
      }
      result = running(release.id());
      applied(
          op,
          new Effect(
              CallKind.SCALE, release, replicas, result.stream().map(Instance::id).toList()));
    }
    notifyListeners(changed);
    return result;
  }

  @Override
  public void drain(OperationId op, Release release) {
    requireCall(op, release);
    List<Instance> changed = new ArrayList<>();
    synchronized (this) {
      if (repeated(op, CallKind.DRAIN, release, 0) != null) {
        return;
      }
      for (Instance i : running(release.id())) {
        if (i.state() == InstanceState.READY || i.state() == InstanceState.PENDING) {
          changed.add(set(i, InstanceState.DRAINING));
        }
      }
      applied(
          op, new Effect(CallKind.DRAIN, release, 0, changed.stream().map(Instance::id).toList()));
    }
    notifyListeners(changed);
  }

  @Override
  public void retire(OperationId op, Release release) {
    requireCall(op, release);
    List<Instance> changed = new ArrayList<>();
    synchronized (this) {
      if (repeated(op, CallKind.RETIRE, release, 0) != null) {
        return;
      }
      for (Instance i : instances.values()) {
        if (i.releaseId().equals(release.id()) && i.state() != InstanceState.TERMINATED) {
          changed.add(i);
        }
      }
      changed.replaceAll(i -> set(i, InstanceState.TERMINATED));
      applied(
          op, new Effect(CallKind.RETIRE, release, 0, changed.stream().map(Instance::id).toList()));
    }
    notifyListeners(changed);
  }

  /**
   * Stops one instance (TERMINATED), idempotent by {@code op}; an instance already stopped or
   * unknown to the service is a no-op that succeeds, as the contract says.
   */
  @Override
  public void retireInstance(OperationId op, String service, String instanceId) {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(instanceId, "instanceId");
    List<Instance> changed = new ArrayList<>();
    synchronized (this) {
      Instance i = instances.get(instanceId);
      Release release = releaseOf.get(instanceId);
      if (i == null || release == null || !service.equals(serviceOf.get(instanceId))) {
        return;
      }
      if (repeated(op, CallKind.RETIRE_INSTANCE, release, 0) != null) {
        return;
      }
      if (i.state() != InstanceState.TERMINATED) {
        changed.add(set(i, InstanceState.TERMINATED));
      }
      applied(op, new Effect(CallKind.RETIRE_INSTANCE, release, 0, List.of(instanceId)));
    }
    notifyListeners(changed);
  }

  @Override
  public synchronized List<Instance> instances(String service) {
    Objects.requireNonNull(service, "service");
    List<Instance> out = new ArrayList<>();
    for (Instance i : instances.values()) {
      if (i.state() != InstanceState.TERMINATED && service.equals(serviceOf.get(i.id()))) {
        out.add(i);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- inspection

  /** Every mutating call received, in order, repeats and failures included. */
  public synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  /**
   * How many times {@code op} changed the fleet: 1 once applied, 0 before or if it failed; never
   * more.
   */
  public synchronized int effects(OperationId op) {
    return effects.getOrDefault(op, 0);
  }

  /** Every instance ever started, in any state, in order of launch. */
  public synchronized List<Instance> allInstances() {
    return List.copyOf(instances.values());
  }

  /** The instance with this id, in its current state. */
  public synchronized Optional<Instance> instance(String instanceId) {
    return Optional.ofNullable(instances.get(instanceId));
  }

  /** Non-terminated instances of one release. */
  public synchronized List<Instance> instancesOf(String releaseId) {
    return running(releaseId);
  }

  /**
   * Calls {@code listener} with every instance whose state changed or that was started, after the
   * change. {@link FakeRouter#watch(FakeFleet)} uses it to catch traffic to retired instances.
   */
  public void onInstanceChange(Consumer<Instance> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  // ---------------------------------------------------------------- faults

  /**
   * From now on, launching (or scaling up) {@code releaseId} fails readiness with a non-retryable
   * error.
   */
  public synchronized void failReadiness(String releaseId) {
    failingReadiness.add(Objects.requireNonNull(releaseId, "releaseId"));
  }

  /** Removes every injected readiness failure. */
  public synchronized void clearFaults() {
    failingReadiness.clear();
  }

  /**
   * The instance crashes: FAILED, still listed until its release is retired.
   *
   * @throws InvalidSpecException if the fleet has no such instance
   */
  public void crash(String instanceId) {
    Instance changed;
    synchronized (this) {
      Instance i = known(instanceId);
      changed = i.withState(InstanceState.FAILED, "crashed (fault injected by FakeFleet.crash)");
      instances.put(i.id(), changed);
    }
    notifyListeners(List.of(changed));
  }

  /**
   * The instance reports {@code runningDigest} from now on, as if someone had patched it in place.
   *
   * @throws InvalidSpecException if the fleet has no such instance
   */
  public void drift(String instanceId, Digest runningDigest) {
    Objects.requireNonNull(runningDigest, "runningDigest");
    Instance changed;
    synchronized (this) {
      changed = known(instanceId).withRunningDigest(runningDigest);
      instances.put(changed.id(), changed);
    }
    notifyListeners(List.of(changed));
  }

  /**
   * The instance reports {@code runningConfig} as its config digest from now on, as if someone had
   * edited its configuration in place.
   *
   * @throws InvalidSpecException if the fleet has no such instance
   */
  public void driftConfig(String instanceId, Digest runningConfig) {
    Objects.requireNonNull(runningConfig, "runningConfig");
    Instance changed;
    synchronized (this) {
      changed = known(instanceId).withRunningConfig(runningConfig);
      instances.put(changed.id(), changed);
    }
    notifyListeners(List.of(changed));
  }

  // ---------------------------------------------------------------- internals

  private static void requireCall(OperationId op, Release release) {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(release, "release");
  }

  private synchronized void record(
      OperationId op, CallKind kind, Release release, int replicas, Outcome outcome) {
    calls.add(new Call(op, kind, release, replicas, outcome));
  }

  /** The earlier effect of a repeated operation id, or null if the id is new. */
  private @Nullable Effect repeated(OperationId op, CallKind kind, Release release, int replicas) {
    Effect previous = done.get(op);
    if (previous == null) {
      return null;
    }
    if (previous.kind() != kind
        || !previous.release().equals(release)
        || previous.replicas() != replicas) {
      record(op, kind, release, replicas, Outcome.FAILED);
      throw new InvalidSpecException(
          "operationId",
          "'"
              + op
              + "' was used for "
              + describe(previous.kind(), previous.release(), previous.replicas())
              + " and now for "
              + describe(kind, release, replicas),
          "derive a distinct operation id for every effect (and OperationId.child for the parts of one)");
    }
    record(op, kind, release, replicas, Outcome.REPEATED);
    return previous;
  }

  private static String describe(CallKind kind, Release release, int replicas) {
    String what = kind.name().toLowerCase(Locale.ROOT);
    return kind == CallKind.LAUNCH || kind == CallKind.SCALE
        ? what + " " + replicas + " x " + release.id()
        : what + " " + release.id();
  }

  private void applied(OperationId op, Effect effect) {
    done.put(op, effect);
    effects.merge(op, 1, Integer::sum);
    calls.add(new Call(op, effect.kind(), effect.release(), effect.replicas(), Outcome.APPLIED));
  }

  private void checkReadiness(OperationId op, CallKind kind, Release release, int replicas) {
    if (failingReadiness.contains(release.id())) {
      record(op, kind, release, replicas, Outcome.FAILED);
      throw ProviderException.permanent(
          "fake",
          kind.name().toLowerCase(Locale.ROOT),
          "instances of "
              + release.id()
              + " failed readiness (fault injected by FakeFleet.failReadiness)");
    }
  }

  private Instance start(Release release) {
    int n = nextInstance++;
    Instance i =
        new Instance(
            release.id() + "-" + n,
            release.id(),
            URI.create("http://127.0.0.1:" + (FIRST_PORT + n)),
            InstanceState.READY,
            release.artifact().digest(),
            release.config().digest(),
            null);
    instances.put(i.id(), i);
    serviceOf.put(i.id(), release.service());
    releaseOf.put(i.id(), release);
    return i;
  }

  private Instance set(Instance i, InstanceState state) {
    Instance changed = Objects.requireNonNull(instances.get(i.id()), i.id()).withState(state);
    instances.put(i.id(), changed);
    return changed;
  }

  private List<Instance> running(String releaseId) {
    List<Instance> out = new ArrayList<>();
    for (Instance i : instances.values()) {
      if (i.releaseId().equals(releaseId) && !i.state().isTerminal()) {
        out.add(i);
      }
    }
    return out;
  }

  private List<Instance> currentOf(List<String> ids) {
    return ids.stream().map(instances::get).toList();
  }

  private Instance known(String instanceId) {
    Instance i = instances.get(Objects.requireNonNull(instanceId, "instanceId"));
    if (i == null) {
      throw new InvalidSpecException(
          "instanceId",
          "'" + instanceId + "' is not an instance of this fleet",
          "use an id returned by launch(), scale() or instances()");
    }
    return i;
  }

  private void notifyListeners(List<Instance> changed) {
    for (Instance i : changed) {
      for (Consumer<Instance> l : listeners) {
        l.accept(i);
      }
    }
  }

  @Override
  public synchronized String toString() {
    return "FakeFleet[" + instances.size() + " instances, " + calls.size() + " calls]";
  }
}
