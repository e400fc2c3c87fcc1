// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.crash;

import io.cutover.api.Instance;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.spi.OperationId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A durable stand-in for the outside world of a crash test: the {@link RecordingFleet} and {@link
 * RecordingRouter} it hands out apply every effect by appending it to an {@link EffectLog} (forced
 * to disk) and folding it into a {@link RecordedWorld}. Opening the same log in a new process
 * rebuilds the world exactly as the killed process left it, the way real instances and load
 * balancers outlive the engine that drives them.
 *
 * <p><b>Idempotency.</b> An operation id found in the log is answered from the log: nothing
 * changes, a {@link Effect.Kind#REISSUE} line records that the engine asked again. Reusing an id
 * for a different effect (another kind, release, replica count or split) fails with {@link
 * InvalidSpecException}, as it is a caller bug.
 *
 * <p><b>Behaviour.</b> Instances are READY at once and have no endpoint; scaling down stops the
 * most recently launched instances first (the {@code Fleet} contract). Instance ids are derived
 * from the log position of the effect that started them, so they are the same in every process.
 *
 * <p><b>Shared by processes.</b> A world opened with {@link #openShared} is one world for several
 * processes (engine replicas in child JVMs): each call holds the effect log's file lock ({@link
 * EffectLog#exclusive}) and first folds in what the other processes applied since, so idempotency
 * by operation id holds across processes, and a replica that takes a rollout over from a killed one
 * meets exactly the world that one left.
 *
 * <p><b>Threading.</b> Thread-safe: every call holds the world's lock, I/O included (effects of one
 * world are totally ordered, which is what lets the checker reason about "before" and "after").
 *
 * <p><b>Errors.</b> {@link ProviderException} if the log cannot be written (the effect did not
 * happen).
 */
public final class RecordingWorld implements AutoCloseable {
  private final EffectLog log;
  private final RecordedWorld state;
  private final RecordingFleet fleet = new RecordingFleet(this);
  private final RecordingRouter router = new RecordingRouter(this);

  private RecordingWorld(EffectLog log) {
    this.log = log;
    this.state = RecordedWorld.of(log.effects());
  }

  /**
   * Opens the world recorded in {@code logFile}, creating an empty one if the file does not exist.
   */
  public static RecordingWorld open(Path logFile) {
    return new RecordingWorld(EffectLog.open(logFile));
  }

  /**
   * Opens the world recorded in {@code logFile} as one of several processes that apply effects to
   * it at the same time (see the class comment), creating an empty one if the file does not exist.
   */
  public static RecordingWorld openShared(Path logFile) {
    return new RecordingWorld(EffectLog.openShared(logFile));
  }

  /** The fleet of this world. */
  public RecordingFleet fleet() {
    return fleet;
  }

  /** The router of this world. */
  public RecordingRouter router() {
    return router;
  }

  /** Every effect so far, reissues included, in order. */
  public synchronized List<Effect> effects() {
    return locked(log::effects);
  }

  /** Breaches found while folding the effects so far (see {@link RecordedWorld}). */
  public synchronized List<String> violations() {
    return locked(state::violations);
  }

  @Override
  public void close() {
    log.close();
  }

  // ---------------------------------------------------------------- fleet side

  synchronized List<Instance> launch(OperationId op, Release release, int replicas) {
    return locked(() -> launchLocked(op, release, replicas));
  }

  private List<Instance> launchLocked(OperationId op, Release release, int replicas) {
    Optional<List<Instance>> again =
        repeat(
            op, Effect.Kind.LAUNCH, release, replicas, "launch " + replicas + " x " + release.id());
    if (again.isPresent()) {
      return again.get();
    }
    long index = log.nextIndex();
    List<String> ids = new ArrayList<>(replicas);
    for (int k = 0; k < replicas; k++) {
      ids.add(unitId(release, index, k));
    }
    record(
        new Effect(
            index,
            Effect.Kind.LAUNCH,
            op.value(),
            release.service(),
            release.id(),
            ids,
            List.of(),
            List.of(),
            Map.of(),
            Map.of()));
    return instances(ids);
  }

  synchronized List<Instance> scale(OperationId op, Release release, int replicas) {
    return locked(() -> scaleLocked(op, release, replicas));
  }

  private List<Instance> scaleLocked(OperationId op, Release release, int replicas) {
    Optional<List<Instance>> again =
        repeat(op, Effect.Kind.SCALE, release, -1, "scale " + release.id() + " to " + replicas);
    if (again.isPresent()) {
      return liveInstances(release);
    }
    List<String> live =
        state.liveOf(release.service(), release.id()).stream().map(RecordedWorld.Unit::id).toList();
    long index = log.nextIndex();
    List<String> started = new ArrayList<>();
    List<String> stopped = new ArrayList<>();
    for (int k = live.size(); k < replicas; k++) {
      started.add(unitId(release, index, k));
    }
    for (int k = live.size() - 1; k >= replicas; k--) {
      stopped.add(live.get(k));
    }
    record(
        new Effect(
            index,
            Effect.Kind.SCALE,
            op.value(),
            release.service(),
            release.id(),
            started,
            List.of(),
            stopped,
            Map.of(),
            Map.of()));
    return liveInstances(release);
  }

  synchronized void drain(OperationId op, Release release) {
    locked(
        () -> {
          drainLocked(op, release);
          return null;
        });
  }

  private void drainLocked(OperationId op, Release release) {
    if (repeat(op, Effect.Kind.DRAIN, release, -1, "drain " + release.id()).isPresent()) {
      return;
    }
    List<String> ids =
        state.liveOf(release.service(), release.id()).stream().map(RecordedWorld.Unit::id).toList();
    record(
        new Effect(
            log.nextIndex(),
            Effect.Kind.DRAIN,
            op.value(),
            release.service(),
            release.id(),
            List.of(),
            ids,
            List.of(),
            Map.of(),
            Map.of()));
  }

  synchronized void retire(OperationId op, Release release) {
    locked(
        () -> {
          retireLocked(op, release);
          return null;
        });
  }

  private void retireLocked(OperationId op, Release release) {
    if (repeat(op, Effect.Kind.RETIRE, release, -1, "retire " + release.id()).isPresent()) {
      return;
    }
    List<String> ids =
        state.liveOf(release.service(), release.id()).stream().map(RecordedWorld.Unit::id).toList();
    record(
        new Effect(
            log.nextIndex(),
            Effect.Kind.RETIRE,
            op.value(),
            release.service(),
            release.id(),
            List.of(),
            List.of(),
            ids,
            Map.of(),
            Map.of()));
  }

  synchronized List<Instance> instances(String service) {
    return locked(() -> instancesLocked(service));
  }

  private List<Instance> instancesLocked(String service) {
    return state.live(service).stream().map(RecordingWorld::instance).toList();
  }

  // ---------------------------------------------------------------- router side

  synchronized void route(
      OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
    locked(
        () -> {
          routeLocked(op, service, split, backends);
          return null;
        });
  }

  private void routeLocked(
      OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
    Effect first = state.effect(op.value()).orElse(null);
    if (first != null) {
      if (first.kind() != Effect.Kind.ROUTE
          || !first.service().equals(service)
          || !first.weights().equals(split.weights())) {
        throw reused(op, first, "route " + service + " " + split);
      }
      reissue(op, service, null);
      return;
    }
    Map<String, List<String>> ids = new LinkedHashMap<>();
    backends.forEach((release, list) -> ids.put(release, list.stream().map(Instance::id).toList()));
    record(
        new Effect(
            log.nextIndex(),
            Effect.Kind.ROUTE,
            op.value(),
            service,
            null,
            List.of(),
            List.of(),
            List.of(),
            split.weights(),
            ids));
  }

  synchronized Optional<TrafficSplit> split(String service) {
    return locked(() -> splitLocked(service));
  }

  private Optional<TrafficSplit> splitLocked(String service) {
    return state.split(service);
  }

  // ---------------------------------------------------------------- helpers

  /**
   * If {@code op} was applied: checks it was the same effect, records the reissue, returns what it
   * started.
   */
  private Optional<List<Instance>> repeat(
      OperationId op, Effect.Kind kind, Release release, int launched, String asked) {
    Effect first = state.effect(op.value()).orElse(null);
    if (first == null) {
      return Optional.empty();
    }
    if (first.kind() != kind
        || !first.service().equals(release.service())
        || !release.id().equals(first.releaseId())
        || (launched >= 0 && first.started().size() != launched)) {
      throw reused(op, first, asked);
    }
    reissue(op, release.service(), release.id());
    return Optional.of(instances(first.started()));
  }

  private static InvalidSpecException reused(OperationId op, Effect first, String asked) {
    return new InvalidSpecException(
        "operationId",
        "'"
            + op
            + "' was applied as effect #"
            + first.index()
            + " ("
            + first.kind()
            + " "
            + first.service()
            + ") and is now reused for: "
            + asked,
        "derive a distinct operation id for every effect (and OperationId.child for the parts of one)");
  }

  private void reissue(OperationId op, String service, @Nullable String releaseId) {
    record(
        new Effect(
            log.nextIndex(),
            Effect.Kind.REISSUE,
            op.value(),
            service,
            releaseId,
            List.of(),
            List.of(),
            List.of(),
            Map.of(),
            Map.of()));
  }

  /** Runs {@code action} as the world's only writer, after folding in other processes' effects. */
  private <T> T locked(Supplier<T> action) {
    return log.exclusive(state::apply, action);
  }

  private void record(Effect e) {
    log.append(e);
    state.apply(e);
  }

  private List<Instance> instances(List<String> ids) {
    List<Instance> out = new ArrayList<>(ids.size());
    for (String id : ids) {
      state.unit(id).ifPresent(u -> out.add(instance(u)));
    }
    return out;
  }

  private List<Instance> liveInstances(Release release) {
    return state.liveOf(release.service(), release.id()).stream()
        .map(RecordingWorld::instance)
        .toList();
  }

  private static Instance instance(RecordedWorld.Unit u) {
    return new Instance(u.id(), u.releaseId(), null, u.state(), null);
  }

  private static String unitId(Release release, long effectIndex, int k) {
    return release.id() + "-e" + effectIndex + "-" + k;
  }
}
