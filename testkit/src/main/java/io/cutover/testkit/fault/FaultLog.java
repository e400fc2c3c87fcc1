// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.fault;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * What one fault wrapper did: how many calls it saw, which faults it injected, and which calls are
 * blocked right now in virtual latency or a hang. Thread-safe.
 */
public final class FaultLog {
  /** Kinds of injected faults. */
  public enum Kind {
    /** The call failed before reaching the wrapped object. */
    FAILED,
    /** The wrapped object performed the call, then the caller saw a failure (a lost response). */
    FAILED_AFTER_EFFECT,
    /** The call fell into an outage window and failed before reaching the wrapped object. */
    OUTAGE,
    /** The call was delayed by virtual latency, then proceeded. */
    DELAYED,
    /**
     * The call hung until its virtual timeout, then failed without reaching the wrapped object
     * (with {@link FaultBuilder#nonBlocking}: failed at once as the timeout the engine would have
     * seen).
     */
    HUNG
  }

  /**
   * One injected fault.
   *
   * @param operation the SPI method, e.g. {@code apply}
   * @param call the number of the faultable call (1-based)
   * @param kind what was injected
   * @param at the virtual time of the injection, if the wrapper has a clock
   */
  public record Injection(String operation, long call, Kind kind, @Nullable Instant at) {}

  private final AtomicLong calls = new AtomicLong();
  private final Map<String, AtomicLong> byOperation = new ConcurrentHashMap<>();
  private final List<Injection> injections = new ArrayList<>();
  private final Set<CountDownLatch> blocked = ConcurrentHashMap.newKeySet();

  FaultLog() {}

  long called(String operation) {
    byOperation.computeIfAbsent(operation, k -> new AtomicLong()).incrementAndGet();
    return calls.incrementAndGet();
  }

  synchronized void injected(Injection i) {
    injections.add(i);
  }

  void blocking(CountDownLatch latch) {
    blocked.add(latch);
  }

  void unblocked(CountDownLatch latch) {
    blocked.remove(latch);
  }

  /** Faultable calls seen so far. */
  public long calls() {
    return calls.get();
  }

  /** Calls of one operation seen so far. */
  public long calls(String operation) {
    AtomicLong n = byOperation.get(operation);
    return n == null ? 0 : n.get();
  }

  /** Every injected fault, in the order injected. */
  public synchronized List<Injection> injections() {
    return List.copyOf(injections);
  }

  /** Injected faults of one kind. */
  public synchronized List<Injection> injections(Kind kind) {
    return injections.stream().filter(i -> i.kind() == kind).toList();
  }

  /** Calls blocked right now in virtual latency or a hang. */
  public int blocked() {
    return blocked.size();
  }

  /**
   * Unblocks every call waiting in virtual latency or a hang, as if their time had passed: delayed
   * calls proceed, hung calls fail. For test teardown, so no thread stays parked after the
   * scheduler stops.
   */
  public void releaseAll() {
    for (CountDownLatch l : blocked) {
      l.countDown();
    }
  }
}
