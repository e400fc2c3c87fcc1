// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.crash;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One change to the recorded world, as appended to an {@link EffectLog}: an instance launch, scale,
 * drain or retirement, a traffic split, or (kind {@link Kind#REISSUE}) a call the providers
 * recognised as a repeat of an operation already applied and answered without acting.
 *
 * @param index position in the log, from 0
 * @param kind what changed
 * @param op the operation id the engine gave the call
 * @param service the service concerned
 * @param releaseId the release launched, scaled, drained or retired; null for routes
 * @param started instances that began to run (launch, scale up)
 * @param drained instances set draining (drain)
 * @param stopped instances that stopped (retire, scale down)
 * @param weights the split's weights in basis points (route)
 * @param backends the instance ids given per release (route)
 */
public record Effect(
    long index,
    Kind kind,
    String op,
    String service,
    @Nullable String releaseId,
    List<String> started,
    List<String> drained,
    List<String> stopped,
    Map<String, Integer> weights,
    Map<String, List<String>> backends) {

  /** Kinds of effects. */
  public enum Kind {
    /** {@code Fleet.launch}. */
    LAUNCH,
    /** {@code Fleet.scale}. */
    SCALE,
    /** {@code Fleet.drain}. */
    DRAIN,
    /** {@code Fleet.retire}. */
    RETIRE,
    /** {@code Router.apply}. */
    ROUTE,
    /** A call with an operation id already applied: answered from the log, nothing changed. */
    REISSUE
  }

  /** Validates and copies. */
  public Effect {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(service, "service");
    started = List.copyOf(started);
    drained = List.copyOf(drained);
    stopped = List.copyOf(stopped);
    weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    Map<String, List<String>> b = new LinkedHashMap<>();
    backends.forEach((k, v) -> b.put(k, List.copyOf(v)));
    backends = Collections.unmodifiableMap(b);
  }

  /** Whether the effect changed the world (every kind but {@link Kind#REISSUE}). */
  public boolean changes() {
    return kind != Kind.REISSUE;
  }

  /** The rollout the operation belongs to: the part of {@link #op()} before its first {@code /}. */
  public String rolloutId() {
    int slash = op.indexOf('/');
    return slash < 0 ? op : op.substring(0, slash);
  }
}
