// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator;

import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.TrafficSplit;
import io.cutover.spi.OperationId;
import io.cutover.spi.Router;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Router} that routes nothing but remembers everything: each applied split becomes an
 * entry of a timeline (time, split, operation id, backends) from which tests read exposure,
 * durations and the split in effect at any instant, and every breach of the Router contract is
 * recorded as a {@link Violation}.
 *
 * <p><b>Idempotency.</b> A repeated {@link OperationId} changes nothing and adds no entry. Reusing
 * an id for another service or split is a caller bug and fails with {@link InvalidSpecException}. A
 * new id always adds an entry, even for the split already in effect, because its backends may
 * differ.
 *
 * <p><b>Contract checks.</b> Applying weight to a release without READY backends is accepted but
 * flagged in {@link #unroutable()} (a {@link RolloutResult} counts it as a router violation).
 * Traffic to an instance that is not READY, or that was retired, is a {@link Violation} in {@link
 * #violations()}; to catch retirements that happen while an instance still receives traffic, let
 * the router {@link #watch(FakeFleet) watch} the fleet. So a test asserts "traffic never routed to
 * a retired instance" with {@code assertThat(router.violations()).isEmpty()}.
 *
 * <p><b>Faults.</b> {@link #failNextApplies(int)} makes the next applies fail with a retryable
 * {@link ProviderException}, leaving the previous split in effect, as the contract requires.
 *
 * <p><b>Threading.</b> Thread-safe. Times come from the {@link InstantSource} given at creation,
 * normally the test's {@link VirtualClock}.
 */
public final class FakeRouter implements Router {

  /**
   * One applied split.
   *
   * @param time when it was applied
   * @param service the service
   * @param split the split
   * @param op the operation that applied it
   * @param backends the instances per release id given with it
   */
  public record Entry(
      Instant time,
      String service,
      TrafficSplit split,
      OperationId op,
      Map<String, List<Instance>> backends) {
    /** Copies the backends. */
    public Entry {
      Map<String, List<Instance>> copy = new LinkedHashMap<>();
      backends.forEach((k, v) -> copy.put(k, List.copyOf(v)));
      backends = Collections.unmodifiableMap(copy);
    }
  }

  /**
   * A breach of the Router contract, or (kind {@link Kind#UNROUTABLE}) a split that could not
   * route: weight above 0 for a release none of whose given backends is READY.
   *
   * @param time when it was detected
   * @param service the service
   * @param kind what happened
   * @param releaseId the release that received traffic
   * @param instanceId the instance concerned, if any
   * @param op the operation whose split was in effect
   * @param message a sentence for failure messages
   */
  public record Violation(
      Instant time,
      String service,
      Kind kind,
      String releaseId,
      @Nullable String instanceId,
      OperationId op,
      String message) {

    /** Kinds of findings. */
    public enum Kind {
      /**
       * Weight above 0 for a release that has no READY backend (none given, or all pending,
       * draining, failed or retired): the router accepts it, but that traffic has nowhere to go.
       */
      UNROUTABLE,
      /**
       * Weight above 0 for an instance that is not READY (pending, draining, failed or terminated).
       */
      NOT_READY_INSTANCE,
      /**
       * An instance retired while its release had weight, or given as a backend after it was
       * retired.
       */
      RETIRED_INSTANCE
    }
  }

  private final InstantSource clock;
  private final List<Entry> timeline = new ArrayList<>();
  private final Map<String, Entry> current = new HashMap<>();
  private final Map<OperationId, Entry> byOp = new HashMap<>();
  private final List<Violation> violations = new ArrayList<>();
  private final List<Violation> unroutable = new ArrayList<>();
  private final Set<String> retired = new HashSet<>();
  private int failuresToInject;
  private int applyCalls;

  private FakeRouter(InstantSource clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A router that stamps its timeline with {@code clock}. */
  public static FakeRouter create(InstantSource clock) {
    return new FakeRouter(clock);
  }

  /**
   * Follows the fleet's instance changes: an instance retired while it still receives traffic, or
   * given as a backend after its retirement, is recorded as a {@link
   * Violation.Kind#RETIRED_INSTANCE} violation.
   *
   * @return this router
   */
  public FakeRouter watch(FakeFleet fleet) {
    fleet.onInstanceChange(this::instanceChanged);
    return this;
  }

  // ---------------------------------------------------------------- the SPI

  @Override
  public void apply(
      OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(split, "split");
    Objects.requireNonNull(backends, "backends");
    if (service.isBlank()) {
      throw new InvalidSpecException(
          "service", "is blank", "name the service whose traffic to route");
    }
    checkBackends(backends);
    synchronized (this) {
      applyCalls++;
      Entry previous = byOp.get(op);
      if (previous != null) {
        if (!previous.service().equals(service) || !previous.split().equals(split)) {
          throw new InvalidSpecException(
              "operationId",
              "'"
                  + op
                  + "' applied "
                  + previous.split()
                  + " to '"
                  + previous.service()
                  + "' and now "
                  + split
                  + " to '"
                  + service
                  + "'",
              "derive a distinct operation id for every effect (and OperationId.child for the parts of one)");
        }
        return;
      }
      if (failuresToInject > 0) {
        failuresToInject--;
        throw ProviderException.retryable(
            "fake-router",
            "apply",
            "injected failure for "
                + service
                + " (FakeRouter.failNextApplies); the previous split stays in effect");
      }
      Entry entry = new Entry(clock.instant(), service, split, op, backends);
      timeline.add(entry);
      current.put(service, entry);
      byOp.put(op, entry);
      inspect(entry);
    }
  }

  /**
   * Records a split that another router applied (the harness's recording wrapper): the same
   * timeline entry and checks as {@link #apply}, without its fault injection; a repeated operation
   * id records nothing.
   */
  synchronized void record(
      OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
    applyCalls++;
    if (byOp.containsKey(op)) {
      return;
    }
    Entry entry = new Entry(clock.instant(), service, split, op, backends);
    timeline.add(entry);
    current.put(service, entry);
    byOp.put(op, entry);
    inspect(entry);
  }

  /** Records that another fleet retired {@code instance} (the harness's fleet wrapper). */
  void retired(Instance instance) {
    instanceChanged(instance.withState(InstanceState.TERMINATED));
  }

  @Override
  public synchronized Optional<TrafficSplit> current(String service) {
    Entry e = current.get(service);
    return e == null ? Optional.empty() : Optional.of(e.split());
  }

  // ---------------------------------------------------------------- inspection

  /** Every applied split of every service, in order. */
  public synchronized List<Entry> timeline() {
    return List.copyOf(timeline);
  }

  /** Every applied split of one service, in order. */
  public synchronized List<Entry> timeline(String service) {
    return timeline.stream().filter(e -> e.service().equals(service)).toList();
  }

  /** The highest weight, in basis points, a release ever had for the service; 0 if never routed. */
  public synchronized int maxExposure(String service, String releaseId) {
    int max = 0;
    for (Entry e : timeline) {
      if (e.service().equals(service)) {
        max = Math.max(max, e.split().weight(releaseId));
      }
    }
    return max;
  }

  /** How long the release had a weight above 0, up to the clock's now. */
  public synchronized Duration exposureDuration(String service, String releaseId) {
    Duration total = Duration.ZERO;
    List<Entry> entries = timeline(service);
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      if (e.split().weight(releaseId) > 0) {
        Instant end = i + 1 < entries.size() ? entries.get(i + 1).time() : clock.instant();
        total = total.plus(Duration.between(e.time(), end));
      }
    }
    return total;
  }

  /** The split in effect for the service at {@code time}: the last one applied at or before it. */
  public synchronized Optional<TrafficSplit> splitAt(String service, Instant time) {
    TrafficSplit found = null;
    for (Entry e : timeline) {
      if (e.service().equals(service) && !e.time().isAfter(time)) {
        found = e.split();
      }
    }
    return Optional.ofNullable(found);
  }

  /** Contract violations found so far (unroutable splits excluded). */
  public synchronized List<Violation> violations() {
    return List.copyOf(violations);
  }

  /** Splits that gave weight to a release without a READY backend: accepted, but flagged. */
  public synchronized List<Violation> unroutable() {
    return List.copyOf(unroutable);
  }

  /** How many times {@link #apply} was called, repeats and failures included. */
  public synchronized int applyCalls() {
    return applyCalls;
  }

  // ---------------------------------------------------------------- faults

  /**
   * The next {@code count} applies (with new operation ids) fail with a retryable {@link
   * ProviderException}.
   */
  public synchronized void failNextApplies(int count) {
    if (count < 0) {
      throw new InvalidSpecException("count", "is " + count, "use 0 or more");
    }
    failuresToInject = count;
  }

  // ---------------------------------------------------------------- checks

  private static void checkBackends(Map<String, List<Instance>> backends) {
    List<InvalidSpecException.Violation> bad = new ArrayList<>();
    backends.forEach(
        (releaseId, list) -> {
          for (int i = 0; i < list.size(); i++) {
            Instance inst = list.get(i);
            if (!inst.releaseId().equals(releaseId)) {
              bad.add(
                  new InvalidSpecException.Violation(
                      "backends." + releaseId + "[" + i + "]",
                      "is instance " + inst.id() + " of release " + inst.releaseId(),
                      "list each release's own instances under its id"));
            }
          }
        });
    if (!bad.isEmpty()) {
      throw new InvalidSpecException(bad);
    }
  }

  private void inspect(Entry e) {
    e.split()
        .weights()
        .forEach(
            (releaseId, weight) -> {
              if (weight == 0) {
                return;
              }
              List<Instance> list = e.backends().getOrDefault(releaseId, List.of());
              boolean anyReady =
                  list.stream()
                      .anyMatch(i -> i.state() == InstanceState.READY && !retired.contains(i.id()));
              if (!anyReady) {
                unroutable.add(
                    new Violation(
                        e.time(),
                        e.service(),
                        Violation.Kind.UNROUTABLE,
                        releaseId,
                        null,
                        e.op(),
                        "release "
                            + releaseId
                            + " has "
                            + percent(weight)
                            + " of "
                            + e.service()
                            + "'s traffic but no READY backends"
                            + (list.isEmpty() ? "" : " (given " + list.size() + " not READY)")));
              }
              for (Instance i : list) {
                if (retired.contains(i.id())) {
                  violations.add(
                      new Violation(
                          e.time(),
                          e.service(),
                          Violation.Kind.RETIRED_INSTANCE,
                          releaseId,
                          i.id(),
                          e.op(),
                          "traffic routed to retired instance "
                              + i.id()
                              + " of "
                              + releaseId
                              + " by "
                              + e.op()));
                } else if (i.state() != InstanceState.READY) {
                  violations.add(
                      new Violation(
                          e.time(),
                          e.service(),
                          Violation.Kind.NOT_READY_INSTANCE,
                          releaseId,
                          i.id(),
                          e.op(),
                          "traffic routed to "
                              + i.state()
                              + " instance "
                              + i.id()
                              + " of "
                              + releaseId
                              + " by "
                              + e.op()));
                }
              }
            });
  }

  private synchronized void instanceChanged(Instance instance) {
    if (instance.state() != InstanceState.TERMINATED || !retired.add(instance.id())) {
      return;
    }
    for (Entry e : current.values()) {
      int weight = e.split().weight(instance.releaseId());
      boolean backend =
          e.backends().getOrDefault(instance.releaseId(), List.of()).stream()
              .anyMatch(i -> i.id().equals(instance.id()));
      if (weight > 0 && backend) {
        violations.add(
            new Violation(
                clock.instant(),
                e.service(),
                Violation.Kind.RETIRED_INSTANCE,
                instance.releaseId(),
                instance.id(),
                e.op(),
                "instance "
                    + instance.id()
                    + " retired while receiving "
                    + percent(weight)
                    + " of "
                    + e.service()
                    + "'s traffic (split of "
                    + e.op()
                    + ")"));
      }
    }
  }

  private static String percent(int basisPoints) {
    return String.format(Locale.ROOT, "%.2f%%", basisPoints / 100.0);
  }

  @Override
  public synchronized String toString() {
    return "FakeRouter[" + timeline.size() + " entries, " + violations.size() + " violations]";
  }
}
