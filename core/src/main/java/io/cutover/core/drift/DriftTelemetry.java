// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.drift;

import io.cutover.api.rollout.RolloutEvent;
import io.cutover.api.rollout.RolloutListener;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The detector's metrics and events. Attributes are bounded: service, drift kind, outcome — never
 * an instance id or a digest (those go into events and logs). Never throws.
 */
final class DriftTelemetry {
  private static final Logger LOG = LoggerFactory.getLogger(DriftTelemetry.class);
  static final AttributeKey<String> SERVICE = AttributeKey.stringKey("cutover.service");
  static final AttributeKey<String> KIND = AttributeKey.stringKey("cutover.drift.kind");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("cutover.outcome");

  private final LongCounter incidents;
  private final LongCounter repairs;
  private final List<RolloutListener> listeners;
  private final InstantSource clock;

  DriftTelemetry(OpenTelemetry otel, List<RolloutListener> listeners, InstantSource clock) {
    Meter meter = otel.getMeter("io.cutover.core.drift");
    this.incidents =
        meter
            .counterBuilder("cutover.drift.incidents")
            .setUnit("{instance}")
            .setDescription(
                "Instances found running another artifact or config digest than their service's"
                    + " stable release (counted once per instance and digest)")
            .build();
    this.repairs =
        meter
            .counterBuilder("cutover.drift.repairs")
            .setUnit("{repair}")
            .setDescription("Drift repairs by outcome (repaired, quarantined, deferred, failed)")
            .build();
    this.listeners = List.copyOf(listeners);
    this.clock = clock;
  }

  void detected(DriftFinding f) {
    try {
      incidents.add(
          1, Attributes.of(SERVICE, f.service(), KIND, f.kind().name().toLowerCase(Locale.ROOT)));
    } catch (RuntimeException e) {
      LOG.warn("telemetry failed", e);
    }
    LOG.warn("drift on {}: {}", f.service(), f.describe());
    emit(
        RolloutEvent.Type.DRIFT_DETECTED,
        "drift:" + f.service(),
        f.service(),
        f.describe(),
        f.instance().releaseId(),
        // A config drift's expected digest is the config's, not the artifact's.
        f.kind() == DriftFinding.Kind.ARTIFACT ? f.expected() : "");
  }

  void repaired(DriftRepair r, List<String> newlyQuarantined) {
    try {
      repairs.add(
          1,
          Attributes.of(
              SERVICE, r.service(), OUTCOME, r.outcome().name().toLowerCase(Locale.ROOT)));
    } catch (RuntimeException e) {
      LOG.warn("telemetry failed", e);
    }
    for (String id : r.replaced()) {
      emit(
          RolloutEvent.Type.DRIFT_REPAIRED,
          r.repairId(),
          r.service(),
          "instance " + id + " replaced by a fresh instance of " + r.releaseId(),
          r.releaseId(),
          "");
    }
    for (String id : newlyQuarantined) {
      emit(
          RolloutEvent.Type.INSTANCE_QUARANTINED,
          r.repairId(),
          r.service(),
          "instance " + id + " quarantined from routing, still running: " + r.reason(),
          r.releaseId(),
          "");
    }
  }

  void emit(
      RolloutEvent.Type type,
      String id,
      String service,
      String message,
      String releaseId,
      String digest) {
    RolloutEvent e =
        new RolloutEvent(
            type,
            id,
            service,
            clock.instant(),
            -1,
            "",
            message,
            null,
            null,
            null,
            releaseId,
            digest);
    for (RolloutListener l : listeners) {
      try {
        l.onEvent(e);
      } catch (RuntimeException ex) {
        LOG.warn("listener {} threw on {}; ignored", l, type, ex);
      }
    }
  }
}
