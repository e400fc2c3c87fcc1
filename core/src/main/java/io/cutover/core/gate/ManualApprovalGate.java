// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Verdict;
import io.cutover.api.Verdict.Outcome;
import io.cutover.core.gate.internal.Gates;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A human decides: {@link #approve} or {@link #deny} a rollout through the API; until then the gate
 * is INCONCLUSIVE ("awaiting approval"), and once {@code timeout} has passed since its first
 * evaluation for that rollout it gives the configured {@code onTimeout} outcome.
 *
 * <p><b>Use.</b> In a {@code Verify} step, evaluate it every {@code interval} with a {@code count}
 * that covers the timeout and an {@code inconclusiveLimit} at least as large, so waiting does not
 * pause the rollout; approval turns the next evaluation into PASS, denial into FAIL (abort). As a
 * {@code Hook} it passes only if the decision was made before the hook runs. Engines that can wait
 * asynchronously may use {@link #decision(String)} instead of polling.
 *
 * <p><b>Time.</b> The timeout is measured with the injected {@link InstantSource}, from the first
 * evaluation for a rollout; a decision made before the first evaluation is kept.
 *
 * <p><b>Threading.</b> Safe for concurrent evaluations and decisions; the first decision for a
 * rollout wins and later ones are ignored (approving a denied rollout does not resurrect it).
 */
public final class ManualApprovalGate implements HealthGate {
  private final String name;
  private final Duration timeout;
  private final Outcome onTimeout;
  private final InstantSource clock;
  private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Verdict>> decisions = new ConcurrentHashMap<>();

  private ManualApprovalGate(
      String name, Duration timeout, Outcome onTimeout, InstantSource clock) {
    this.name = Gates.name(name, "gate.name");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new InvalidSpecException(
          "gate." + name + ".timeout", "is " + timeout, "use a positive timeout such as 1h");
    }
    if (onTimeout == Outcome.ERROR) {
      throw new InvalidSpecException(
          "gate." + name + ".onTimeout", "is ERROR", "use FAIL, PASS or INCONCLUSIVE");
    }
    this.timeout = timeout;
    this.onTimeout = Objects.requireNonNull(onTimeout, "onTimeout");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * A gate that waits up to {@code timeout} for a decision and then gives {@code onTimeout} (FAIL
   * for "abort unless approved", PASS for "proceed unless denied", INCONCLUSIVE to pause for a
   * human).
   */
  public static ManualApprovalGate of(
      String name, Duration timeout, Outcome onTimeout, InstantSource clock) {
    return new ManualApprovalGate(name, timeout, onTimeout, clock);
  }

  @Override
  public String name() {
    return name;
  }

  /** Approves a rollout; returns false if it had already been decided. */
  public boolean approve(String rolloutId) {
    return decide(rolloutId, Verdict.pass("gate '" + name + "': approved"));
  }

  /** Denies a rollout with a reason; returns false if it had already been decided. */
  public boolean deny(String rolloutId, String reason) {
    if (reason == null || reason.isBlank()) {
      throw new InvalidSpecException("deny.reason", "is blank", "say why the rollout is denied");
    }
    return decide(rolloutId, Verdict.fail("gate '" + name + "': denied: " + reason));
  }

  /** Completes with the decision (or the timeout outcome once an evaluation observed it). */
  public CompletionStage<Verdict> decision(String rolloutId) {
    return future(rolloutId).minimalCompletionStage();
  }

  /** Forgets a finished rollout's state. */
  public void forget(String rolloutId) {
    firstSeen.remove(rolloutId);
    decisions.remove(rolloutId);
  }

  @Override
  public Verdict evaluate(GateContext ctx) {
    CompletableFuture<Verdict> f = future(ctx.rolloutId());
    if (f.isDone()) {
      return f.join();
    }
    Instant now = clock.instant();
    Instant since = firstSeen.computeIfAbsent(ctx.rolloutId(), k -> now);
    Duration waited = Duration.between(since, now);
    if (waited.compareTo(timeout) >= 0) {
      Verdict timedOut =
          new Verdict(
              onTimeout,
              List.of(),
              List.of(
                  "gate '"
                      + name
                      + "': no decision within "
                      + timeout
                      + " (timeout outcome "
                      + onTimeout
                      + ")"));
      f.complete(timedOut);
      return f.join();
    }
    return Verdict.inconclusive(
        "gate '"
            + name
            + "': awaiting approval of rollout "
            + ctx.rolloutId()
            + " for "
            + waited.toSeconds()
            + "s of "
            + timeout.toSeconds()
            + "s");
  }

  private boolean decide(String rolloutId, Verdict v) {
    return future(Objects.requireNonNull(rolloutId, "rolloutId")).complete(v);
  }

  private CompletableFuture<Verdict> future(String rolloutId) {
    return decisions.computeIfAbsent(rolloutId, k -> new CompletableFuture<>());
  }
}
