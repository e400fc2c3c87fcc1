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
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spans, metrics and listener delivery for the engine. Every method swallows its own failures:
 * telemetry must never throw into, or stop, a rollout.
 */
public final class EngineTelemetry {
  // Looked up when something is logged (failures only), not when the class loads: building a
  // Cutover does not initialize the logging backend.
  private static Logger log() {
    return LoggerFactory.getLogger(EngineTelemetry.class);
  }

  private final List<RolloutListener> listeners;

  /** Null when the engine was built without one: the no-op, looked up at the first rollout. */
  private final @Nullable OpenTelemetry otel;

  private volatile @Nullable Instruments instruments;

  /**
   * With the no-op OpenTelemetry, attribute sets are not even built: they cost more than the no-op
   * calls.
   */
  private final boolean metricsEnabled;

  /**
   * @param otel null for none (no-op): then building the engine does not initialise the no-op
   *     OpenTelemetry (its propagators and context classes) either
   */
  public EngineTelemetry(@Nullable OpenTelemetry otel, List<RolloutListener> listeners) {
    this.metricsEnabled = otel != null && otel != OpenTelemetry.noop();
    this.otel = otel;
    this.listeners = List.copyOf(listeners);
  }

  /**
   * The attribute keys, created with the first attribute set rather than when the engine is built
   * (13 keys load and initialise the OpenTelemetry attribute classes).
   */
  private static final class Keys {
    static final AttributeKey<String> SERVICE = AttributeKey.stringKey("cutover.service");
    static final AttributeKey<String> ROLLOUT = AttributeKey.stringKey("cutover.rollout");
    static final AttributeKey<String> STRATEGY = AttributeKey.stringKey("cutover.strategy");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("cutover.outcome");
    static final AttributeKey<String> GATE = AttributeKey.stringKey("cutover.gate");
    static final AttributeKey<String> STEP_KIND = AttributeKey.stringKey("cutover.step.kind");
    static final AttributeKey<String> CAUSE = AttributeKey.stringKey("cutover.rollback.cause");
    static final AttributeKey<Boolean> DRY_RUN = AttributeKey.booleanKey("cutover.gate.dry_run");
    static final AttributeKey<String> RELEASE = AttributeKey.stringKey("cutover.release");
    static final AttributeKey<String> DIGEST = AttributeKey.stringKey("cutover.artifact.digest");
    static final AttributeKey<String> FROM = AttributeKey.stringKey("cutover.rollback.from");
    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("cutover.provider");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("cutover.operation");
  }

  /**
   * Counts a provider's retries in {@code cutover.provider.retries}, as a resilient caller's retry
   * listener.
   */
  public BiConsumer<Integer, Throwable> retryCounter(String provider) {
    return new RetryListener(this, provider);
  }

  /** A retry listener that counts nothing (a single-attempt caller such as the gates'). */
  public static BiConsumer<Integer, Throwable> uncountedRetries() {
    return new RetryListener(null, "");
  }

  /**
   * A class rather than lambdas: the engine is built with three of these, and the first lambdas a
   * fresh JVM links cost more than loading one small class.
   */
  private static final class RetryListener implements BiConsumer<Integer, Throwable> {
    private final @Nullable EngineTelemetry telemetry;
    private final String provider;

    RetryListener(@Nullable EngineTelemetry telemetry, String provider) {
      this.telemetry = telemetry;
      this.provider = provider;
    }

    @Override
    public void accept(Integer attempt, Throwable failure) {
      if (telemetry != null) {
        telemetry.retry(provider);
      }
    }
  }

  /** The tracer and instruments, created on first use (see {@link Instruments}). */
  private Instruments m() {
    Instruments i = instruments;
    if (i == null) {
      synchronized (this) {
        i = instruments;
        if (i == null) {
          i = new Instruments(otel != null ? otel : OpenTelemetry.noop());
          instruments = i;
        }
      }
    }
    return i;
  }

  /**
   * The tracer and instruments. Created at the first rollout rather than with the engine, so that
   * building an engine does not load the OpenTelemetry metrics and trace API (about 70 classes).
   */
  private static final class Instruments {
    final Tracer tracer;
    final LongCounter started;
    final LongCounter succeeded;
    final LongCounter failed;
    final LongCounter rollbacks;
    final LongCounter verdicts;
    final LongCounter providerRetries;
    final LongCounter drift;
    final DoubleHistogram duration;
    final DoubleHistogram timeToRollback;
    final LongCounter finished;
    final LongCounter flagged;
    final DoubleHistogram errorRateDelta;
    final DoubleHistogram latencyDelta;
    final LongCounter verifications;
    final LongCounter artifactReads;

    Instruments(OpenTelemetry otel) {
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
      this.finished =
          meter
              .counterBuilder("cutover.deployments.finished")
              .setUnit("{rollout}")
              .setDescription("Rollouts that reached a terminal state, by outcome")
              .build();
      this.flagged =
          meter
              .counterBuilder("cutover.canaries.flagged")
              .setUnit("{rollout}")
              .setDescription("Rollouts whose analysis produced a failed (non dry-run) verdict")
              .build();
      this.errorRateDelta =
          meter
              .histogramBuilder("cutover.analysis.error_rate_delta")
              .setUnit("1")
              .setDescription("Canary error rate minus baseline error rate, at each analysis")
              .setExplicitBucketBoundariesAdvice(DELTA_BUCKETS)
              .build();
      this.latencyDelta =
          meter
              .histogramBuilder("cutover.analysis.latency_p95_delta")
              .setUnit("s")
              .setDescription("Canary p95 latency minus baseline p95 latency, at each analysis")
              .setExplicitBucketBoundariesAdvice(LATENCY_BUCKETS)
              .build();
      this.verifications =
          meter
              .counterBuilder("cutover.artifact.verifications")
              .setUnit("{verification}")
              .setDescription("Artifact verifications before a rollout, by outcome")
              .build();
      this.artifactReads =
          meter
              .counterBuilder("cutover.artifact.reads")
              .setUnit("{call}")
              .setDescription("Artifact store calls made while verifying, by operation and outcome")
              .build();
    }
  }

  /** Signed: a canary may be better than its baseline. */
  private static final List<Double> DELTA_BUCKETS =
      List.of(-0.05, -0.01, -0.005, -0.001, 0.0, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1.0);

  private static final List<Double> LATENCY_BUCKETS =
      List.of(-0.5, -0.1, -0.05, -0.01, 0.0, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5);

  Span startRolloutSpan(
      String service,
      String rolloutId,
      String strategy,
      String releaseId,
      String digest,
      Instant start) {
    try {
      Span span =
          m().tracer
              .spanBuilder("rollout " + service)
              .setNoParent()
              .setStartTimestamp(start.toEpochMilli(), TimeUnit.MILLISECONDS)
              .setAttribute(Keys.SERVICE, service)
              .setAttribute(Keys.ROLLOUT, rolloutId)
              .setAttribute(Keys.STRATEGY, strategy)
              .setAttribute(Keys.RELEASE, releaseId)
              .setAttribute(Keys.DIGEST, digest)
              .startSpan();
      m().started.add(1, Attributes.of(Keys.SERVICE, service, Keys.STRATEGY, strategy));
      return span;
    } catch (RuntimeException e) {
      log().warn("telemetry failed", e);
      return Span.getInvalid();
    }
  }

  Span startStepSpan(
      Span parent, String kind, int index, String releaseId, String digest, Instant start) {
    if (!parent.getSpanContext().isValid()) {
      return Span.getInvalid();
    }
    try {
      return m().tracer
          .spanBuilder("step " + index + " " + kind)
          // What Context.root().with(parent) does; called on the span, so that verifying this
          // class (loaded with every engine) does not load ImplicitContextKeyed.
          .setParent(parent.storeInContext(Context.root()))
          .setStartTimestamp(start.toEpochMilli(), TimeUnit.MILLISECONDS)
          .setAttribute(Keys.STEP_KIND, kind)
          .setAttribute(Keys.RELEASE, releaseId)
          .setAttribute(Keys.DIGEST, digest)
          .startSpan();
    } catch (RuntimeException e) {
      log().warn("telemetry failed", e);
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
      log().warn("telemetry failed", e);
    }
  }

  /**
   * M1 and M2: a rollout reached its terminal state. {@code cutover.deployments.finished} and the
   * duration carry the outcome ({@code succeeded}, {@code aborted}); the older succeeded/failed
   * counters stay for existing dashboards.
   */
  void ended(String service, String strategy, boolean success, Duration took) {
    try {
      Attributes a = Attributes.of(Keys.SERVICE, service, Keys.STRATEGY, strategy);
      (success ? m().succeeded : m().failed).add(1, a);
      Attributes withOutcome =
          Attributes.of(
              Keys.SERVICE,
              service,
              Keys.STRATEGY,
              strategy,
              Keys.OUTCOME,
              success ? "succeeded" : "aborted");
      m().finished.add(1, withOutcome);
      m().duration.record(took.toNanos() / 1e9, withOutcome);
    } catch (RuntimeException e) {
      log().warn("telemetry failed", e);
    }
  }

  /**
   * M5: traffic is back on stable only. Counted once, timed from the abort decision (command,
   * failed analysis, deadline) and, when analysis failed first, from its first failed verdict.
   */
  void rolledBack(
      String service, String strategy, Duration fromAbort, @Nullable Duration fromFirstFailure) {
    try {
      m().rollbacks.add(1, Attributes.of(Keys.SERVICE, service, Keys.CAUSE, "abort"));
      m().timeToRollback
          .record(
              fromAbort.toNanos() / 1e9,
              Attributes.of(Keys.SERVICE, service, Keys.STRATEGY, strategy, Keys.FROM, "abort"));
      if (fromFirstFailure != null) {
        m().timeToRollback
            .record(
                fromFirstFailure.toNanos() / 1e9,
                Attributes.of(
                    Keys.SERVICE,
                    service,
                    Keys.STRATEGY,
                    strategy,
                    Keys.FROM,
                    "first_failed_verdict"));
      }
    } catch (RuntimeException e) {
      log().warn("telemetry failed", e);
    }
  }

  /** M6: the first failed, deciding verdict of a rollout's analysis; once per rollout. */
  void canaryFlagged(String service, String strategy, String gate) {
    try {
      m().flagged
          .add(1, Attributes.of(Keys.SERVICE, service, Keys.STRATEGY, strategy, Keys.GATE, gate));
    } catch (RuntimeException e) {
      log().warn("telemetry failed", e);
    }
  }

  /** M3 and M7: the canary-minus-baseline measurements a verdict carries, if any. */
  void deltas(String service, String strategy, String gate, Verdict v) {
    if (!metricsEnabled || v.measurements().isEmpty()) {
      return;
    }
    try {
      for (Verdict.Measurement m : v.measurements()) {
        DoubleHistogram h =
            switch (m.name()) {
              case Verdict.Measurement.ERROR_RATE_DELTA -> m().errorRateDelta;
              case Verdict.Measurement.LATENCY_P95_DELTA -> m().latencyDelta;
              default -> null;
            };
        if (h != null && Double.isFinite(m.value())) {
          h.record(
              m.value(),
              Attributes.of(Keys.SERVICE, service, Keys.STRATEGY, strategy, Keys.GATE, gate));
        }
      }
    } catch (RuntimeException e) {
      log().warn("telemetry failed", e);
    }
  }

  /**
   * M8: the verification before a rollout: {@code verified}, {@code rejected} (a check failed),
   * {@code error} (the store or verifier failed) or {@code unverified} (no store, on purpose).
   */
  public void verification(String service, String outcome) {
    try {
      m().verifications.add(1, Attributes.of(Keys.SERVICE, service, Keys.OUTCOME, outcome));
    } catch (RuntimeException e) {
      log().warn("telemetry failed", e);
    }
  }

  /**
   * M8: one artifact store call made while verifying: operation {@code describe}, {@code fetch},
   * {@code verify}, ...; outcome {@code ok}, {@code not_found}, {@code digest_mismatch} or {@code
   * error}.
   */
  public void artifactRead(String service, String operation, String outcome) {
    try {
      m().artifactReads
          .add(
              1,
              Attributes.of(
                  Keys.SERVICE, service, Keys.OPERATION, operation, Keys.OUTCOME, outcome));
    } catch (RuntimeException e) {
      log().warn("telemetry failed", e);
    }
  }

  /**
   * An explicit rollback ({@code Cutover.rollback}) completed: counted in {@code cutover.rollbacks}
   * with cause {@code rollback} (aborts count with cause {@code abort}).
   */
  public void explicitRollback(String service) {
    try {
      m().rollbacks.add(1, Attributes.of(Keys.SERVICE, service, Keys.CAUSE, "rollback"));
    } catch (RuntimeException e) {
      log().warn("telemetry failed", e);
    }
  }

  void verdict(String service, String gate, Verdict v, boolean dryRun) {
    if (!metricsEnabled) {
      return;
    }
    try {
      m().verdicts
          .add(
              1,
              Attributes.of(
                  Keys.SERVICE,
                  service,
                  Keys.GATE,
                  gate,
                  Keys.OUTCOME,
                  v.outcome().name(),
                  Keys.DRY_RUN,
                  dryRun));
    } catch (RuntimeException e) {
      log().warn("telemetry failed", e);
    }
  }

  public void retry(String provider) {
    try {
      m().providerRetries.add(1, Attributes.of(Keys.PROVIDER, provider));
    } catch (RuntimeException e) {
      log().warn("telemetry failed", e);
    }
  }

  void drift(String service) {
    try {
      m().drift.add(1, Attributes.of(Keys.SERVICE, service));
    } catch (RuntimeException e) {
      log().warn("telemetry failed", e);
    }
  }

  void emit(RolloutEvent event) {
    for (RolloutListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        log().warn("rollout listener {} threw on {}; ignored", l, event.type(), e);
      }
    }
  }
}
