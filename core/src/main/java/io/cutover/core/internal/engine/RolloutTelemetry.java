// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.api.Instance;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Plan;
import io.cutover.api.rollout.RolloutEvent;
import io.opentelemetry.api.trace.Span;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One rollout's events, spans and metrics, on top of the engine-wide {@link EngineTelemetry}: one
 * method per kind of event, so call sites name what happened instead of passing nulls for what did
 * not.
 */
final class RolloutTelemetry {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutTelemetry.class);
  private final EngineContext ctx;
  private final String rolloutId;
  private final Plan plan;

  /**
   * The step an event belongs to: the current forward step, or -1 while aborting or rolling back.
   */
  private final IntSupplier eventStep;

  /** Also told every event: the rollout's event hooks. */
  private Consumer<RolloutEvent> eventHooks = e -> {};

  private Span rolloutSpan = Span.getInvalid();
  private Span stepSpan = Span.getInvalid();

  /** M9: on every span and event of the rollout. */
  private final String releaseId;

  private final String digest;
  // Used on the rollout's mailbox only.
  private final Map<String, String[]> verdictMessages = new HashMap<>();

  /** When the first failed, deciding verdict came (M5, M6); null while there was none. */
  private @Nullable Instant firstFailedVerdict;

  RolloutTelemetry(EngineContext ctx, String rolloutId, Plan plan, IntSupplier eventStep) {
    this.ctx = ctx;
    this.rolloutId = rolloutId;
    this.plan = plan;
    this.eventStep = eventStep;
    this.releaseId = plan.target().id();
    this.digest = plan.target().artifact().digest().toString();
  }

  /** Tells {@code hooks} every event from now on, after the listeners. */
  void eventHooks(Consumer<RolloutEvent> hooks) {
    this.eventHooks = hooks;
  }

  /** An event with a message only. */
  void event(RolloutEvent.Type type, String message) {
    emit(type, message, null, null, null);
  }

  /** TRAFFIC_SHIFTED to {@code split}. */
  void trafficShifted(TrafficSplit split) {
    emit(RolloutEvent.Type.TRAFFIC_SHIFTED, split.toString(), null, null, split);
  }

  /** A gate verdict: its metric and its GATE_VERDICT event. */
  void verdict(String gate, Verdict v, boolean dryRun) {
    ctx.telemetry().verdict(plan.service(), gate, v, dryRun);
    ctx.telemetry().deltas(plan.service(), plan.strategy(), gate, v);
    if (!dryRun && v.outcome() == Verdict.Outcome.FAIL && firstFailedVerdict == null) {
      firstFailedVerdict = ctx.clock().instant();
      ctx.telemetry().canaryFlagged(plan.service(), plan.strategy(), gate);
    }
    String msg =
        v.passed() || v.reasons().isEmpty()
            ? verdictMessage(gate, v.outcome(), dryRun)
            : gate + (dryRun ? " (dry-run): " : ": ") + v.outcome() + " " + v.reasons();
    emit(RolloutEvent.Type.GATE_VERDICT, msg, v, gate, null);
  }

  /**
   * "gate: OUTCOME", built once per gate, outcome and mode: a rollout reports the same few messages
   * at every measurement.
   */
  private String verdictMessage(String gate, Verdict.Outcome outcome, boolean dryRun) {
    String[] cached =
        verdictMessages.computeIfAbsent(gate, g -> new String[2 * Verdict.Outcome.values().length]);
    int slot = outcome.ordinal() * 2 + (dryRun ? 1 : 0);
    String msg = cached[slot];
    if (msg == null) {
      msg = gate + (dryRun ? " (dry-run): " : ": ") + outcome;
      cached[slot] = msg;
    }
    return msg;
  }

  /**
   * PROVIDER_RETRY: a provider call this rollout made failed and is tried again. Runs on the
   * mailbox.
   */
  void providerRetry(String provider, String operation, int attempt, Throwable failure) {
    String why =
        failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    event(
        RolloutEvent.Type.PROVIDER_RETRY,
        provider + " " + operation + " attempt " + attempt + " failed, retrying: " + why);
  }

  /** Reports instances that run another digest than their release's. */
  void checkDrift(List<Instance> list) {
    for (Instance i : list) {
      Release r = plan.release(i.releaseId());
      if (r != null
          && i.runningDigest() != null
          && !i.runningDigest().equals(r.artifact().digest())) {
        ctx.telemetry().drift(plan.service());
        event(
            RolloutEvent.Type.DRIFT_DETECTED,
            "instance "
                + i.id()
                + " runs "
                + i.runningDigest()
                + " but release "
                + r.id()
                + " is "
                + r.artifact().digest());
      }
    }
  }

  void rolloutStarted(Instant at) {
    rolloutSpan =
        ctx.telemetry()
            .startRolloutSpan(plan.service(), rolloutId, plan.strategy(), releaseId, digest, at);
  }

  void stepStarted(String kind, int index, Instant at) {
    stepSpan = ctx.telemetry().startStepSpan(rolloutSpan, kind, index, releaseId, digest, at);
  }

  void stepEnded(Instant at, @Nullable String error) {
    ctx.telemetry().endSpan(stepSpan, at, error);
  }

  /** Traffic is on stable only, {@code abortStartedAt} after the abort decision. */
  void rolledBack(Instant abortStartedAt, Instant now) {
    Instant firstFail = firstFailedVerdict;
    ctx.telemetry()
        .rolledBack(
            plan.service(),
            plan.strategy(),
            Duration.between(abortStartedAt, now),
            firstFail == null || firstFail.isAfter(abortStartedAt)
                ? null
                : Duration.between(firstFail, now));
  }

  /** Ends the spans and records the rollout's outcome and duration. */
  void rolloutEnded(Instant at, boolean succeeded, @Nullable String why, Duration took) {
    String error = succeeded ? null : why;
    ctx.telemetry().endSpan(stepSpan, at, error);
    ctx.telemetry().endSpan(rolloutSpan, at, error);
    ctx.telemetry().ended(plan.service(), plan.strategy(), succeeded, took);
  }

  private void emit(
      RolloutEvent.Type type,
      String message,
      @Nullable Verdict v,
      @Nullable String gate,
      @Nullable TrafficSplit s) {
    int idx = eventStep.getAsInt();
    String kind = idx >= 0 && idx < plan.steps().size() ? plan.steps().get(idx).kind() : "";
    RolloutEvent e =
        new RolloutEvent(
            type,
            rolloutId,
            plan.service(),
            ctx.clock().instant(),
            idx,
            kind,
            message,
            v,
            gate,
            s,
            releaseId,
            digest);
    // Logged in the rollout's MDC (service, rollout, release, digest), like every engine line.
    LOG.debug("{} {}", type, message);
    ctx.telemetry().emit(e);
    eventHooks.accept(e);
  }
}
