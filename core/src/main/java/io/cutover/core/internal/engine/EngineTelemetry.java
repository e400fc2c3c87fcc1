// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.api.Verdict;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.api.rollout.RolloutListener;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spans, metrics and listener delivery for the engine. Every method swallows its own failures:
 * telemetry must never throw into, or stop, a rollout.
 */
public final class EngineTelemetry {
  private static final Logger LOG = LoggerFactory.getLogger(EngineTelemetry.class);
  static final AttributeKey<String> SERVICE = AttributeKey.stringKey("cutover.service");
  static final AttributeKey<String> ROLLOUT = AttributeKey.stringKey("cutover.rollout");
  static final AttributeKey<String> STRATEGY = AttributeKey.stringKey("cutover.strategy");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("cutover.outcome");
  static final AttributeKey<String> GATE = AttributeKey.stringKey("cutover.gate");
  static final AttributeKey<String> STEP_KIND = AttributeKey.stringKey("cutover.step.kind");
  static final AttributeKey<String> CAUSE = AttributeKey.stringKey("cutover.rollback.cause");
  static final AttributeKey<Boolean> DRY_RUN = AttributeKey.booleanKey("cutover.gate.dry_run");

  private final Tracer tracer;
  private final LongCounter started;
  private final LongCounter succeeded;
  private final LongCounter failed;
  private final LongCounter rollbacks;
  private final LongCounter verdicts;
  private final LongCounter providerRetries;
  private final LongCounter drift;
  private final DoubleHistogram duration;
  private final DoubleHistogram timeToRollback;
  private final List<RolloutListener> listeners;

  /**
   * With the no-op OpenTelemetry, attribute sets are not even built: they cost more than the no-op
   * calls.
   */
  private final boolean metricsEnabled;

  public EngineTelemetry(OpenTelemetry otel, List<RolloutListener> listeners) {
    this.metricsEnabled = otel != OpenTelemetry.noop();
    this.tracer = otel.getTracer("io.cutover.core");
    Meter meter = otel.getMeter("io.cutover.core");
    this.started =
        meter
            .counterBuilder("cutover.deployments.started")
            .setDescription("Rollouts started")
            .build();
    this.succeeded =
        meter
            .counterBuilder("cutover.deployments.succeeded")
            .setDescription("Rollouts that completed")
            .build();
    this.failed =
        meter
            .counterBuilder("cutover.deployments.failed")
            .setDescription("Rollouts that ended aborted")
            .build();
    this.rollbacks =
        meter
            .counterBuilder("cutover.rollbacks")
            .setDescription("Rollbacks executed (aborts and explicit rollbacks)")
            .build();
    this.verdicts =
        meter
            .counterBuilder("cutover.gate.verdicts")
            .setDescription("Gate verdicts by outcome")
            .build();
    this.providerRetries =
        meter
            .counterBuilder("cutover.provider.retries")
            .setDescription("Provider call retries")
            .build();
    this.drift =
        meter
            .counterBuilder("cutover.drift.detected")
            .setDescription("Instances running a digest other than their release's")
            .build();
    this.duration =
        meter
            .histogramBuilder("cutover.deployment.duration")
            .setUnit("s")
            .setDescription("Rollout duration from start to terminal state")
            .build();
    this.timeToRollback =
        meter
            .histogramBuilder("cutover.time_to_rollback")
            .setUnit("s")
            .setDescription("From the abort decision to traffic back on stable")
            .build();
    this.listeners = List.copyOf(listeners);
  }

  Span startRolloutSpan(String service, String rolloutId, String strategy, Instant start) {
    try {
      Span span =
          tracer
              .spanBuilder("rollout " + service)
              .setNoParent()
              .setStartTimestamp(start.toEpochMilli(), TimeUnit.MILLISECONDS)
              .setAttribute(SERVICE, service)
              .setAttribute(ROLLOUT, rolloutId)
              .setAttribute(STRATEGY, strategy)
              .startSpan();
      started.add(1, Attributes.of(SERVICE, service, STRATEGY, strategy));
      return span;
    } catch (RuntimeException e) {
      LOG.warn("telemetry failed", e);
      return Span.getInvalid();
    }
  }

  Span startStepSpan(Span parent, String kind, int index, Instant start) {
    if (!parent.getSpanContext().isValid()) {
      return Span.getInvalid();
    }
    try {
      return tracer
          .spanBuilder("step " + index + " " + kind)
          .setParent(Context.root().with(parent))
          .setStartTimestamp(start.toEpochMilli(), TimeUnit.MILLISECONDS)
          .setAttribute(STEP_KIND, kind)
          .startSpan();
    } catch (RuntimeException e) {
      LOG.warn("telemetry failed", e);
      return Span.getInvalid();
    }
  }

  void endSpan(Span span, Instant end, @Nullable String error) {
    try {
      if (error != null) {
        span.setStatus(StatusCode.ERROR, error);
      }
      span.end(end.toEpochMilli(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      LOG.warn("telemetry failed", e);
    }
  }

  void ended(String service, String strategy, boolean success, Duration took) {
    try {
      Attributes a = Attributes.of(SERVICE, service, STRATEGY, strategy);
      (success ? succeeded : failed).add(1, a);
      duration.record(took.toNanos() / 1e9, a);
    } catch (RuntimeException e) {
      LOG.warn("telemetry failed", e);
    }
  }

  void rolledBack(String service, Duration took) {
    try {
      rollbacks.add(1, Attributes.of(SERVICE, service, CAUSE, "abort"));
      timeToRollback.record(took.toNanos() / 1e9, Attributes.of(SERVICE, service));
    } catch (RuntimeException e) {
      LOG.warn("telemetry failed", e);
    }
  }

  /**
   * An explicit rollback ({@code Cutover.rollback}) completed: counted in {@code cutover.rollbacks}
   * with cause {@code rollback} (aborts count with cause {@code abort}).
   */
  public void explicitRollback(String service) {
    try {
      rollbacks.add(1, Attributes.of(SERVICE, service, CAUSE, "rollback"));
    } catch (RuntimeException e) {
      LOG.warn("telemetry failed", e);
    }
  }

  void verdict(String service, String gate, Verdict v, boolean dryRun) {
    if (!metricsEnabled) {
      return;
    }
    try {
      verdicts.add(
          1,
          Attributes.of(
              SERVICE, service, GATE, gate, OUTCOME, v.outcome().name(), DRY_RUN, dryRun));
    } catch (RuntimeException e) {
      LOG.warn("telemetry failed", e);
    }
  }

  public void retry(String provider) {
    try {
      providerRetries.add(1, Attributes.of(AttributeKey.stringKey("cutover.provider"), provider));
    } catch (RuntimeException e) {
      LOG.warn("telemetry failed", e);
    }
  }

  void drift(String service) {
    try {
      drift.add(1, Attributes.of(SERVICE, service));
    } catch (RuntimeException e) {
      LOG.warn("telemetry failed", e);
    }
  }

  void emit(RolloutEvent event) {
    for (RolloutListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        LOG.warn("rollout listener {} threw on {}; ignored", l, event.type(), e);
      }
    }
  }
}
