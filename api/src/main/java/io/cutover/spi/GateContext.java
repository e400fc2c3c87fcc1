// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import io.cutover.api.Instance;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link HealthGate} evaluates: the releases, the measurement window, the instances.
 *
 * <p>Built with {@link #builder()} (or copied and changed with {@link #toBuilder()}), never
 * positionally, so a field added later does not break the code that creates contexts. The engine
 * creates one per measurement or hook; gate implementations only read it.
 *
 * <p>Immutable and thread-safe. Two contexts with the same fields are {@linkplain #equals equal}.
 */
public final class GateContext {

  /** The phase of analysis measurements. */
  public static final String ANALYSIS = "analysis";

  private final String rolloutId;
  private final String service;
  private final @Nullable Release stable;
  private final Release candidate;
  private final Instant windowStart;
  private final Instant now;
  private final int measurement;
  private final int step;
  private final List<Instance> candidateInstances;
  private final String phase;
  private final Map<String, String> params;

  private GateContext(Builder b) {
    this.rolloutId = Objects.requireNonNull(b.rolloutId);
    this.service = Objects.requireNonNull(b.service);
    this.stable = b.stable;
    this.candidate = Objects.requireNonNull(b.candidate);
    this.windowStart = Objects.requireNonNull(b.windowStart);
    this.now = Objects.requireNonNull(b.now);
    this.measurement = b.measurement;
    this.step = b.step;
    this.candidateInstances = List.copyOf(b.candidateInstances);
    this.phase = b.phase;
    this.params = Map.copyOf(b.params);
  }

  /**
   * A builder. {@code rolloutId}, {@code service}, {@code candidate}, {@code windowStart} and
   * {@code now} are required; the rest default to: no stable release, measurement 1, step -1, no
   * instances, phase {@link #ANALYSIS}, no parameters.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from this context's fields; each may be changed once. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.rolloutId = rolloutId;
    b.service = service;
    b.stable = stable;
    b.candidate = candidate;
    b.windowStart = windowStart;
    b.now = now;
    b.measurement = measurement;
    b.step = step;
    b.candidateInstances = candidateInstances;
    b.phase = phase;
    b.params = params;
    return b;
  }

  /** The rollout. */
  public String rolloutId() {
    return rolloutId;
  }

  /** The service. */
  public String service() {
    return service;
  }

  /** The stable (baseline) release, null for a first deployment. */
  public @Nullable Release stable() {
    return stable;
  }

  /** The release under test. */
  public Release candidate() {
    return candidate;
  }

  /**
   * Start of the window to judge; the window ends at {@link #now()}.
   *
   * <p><b>Analysis windows.</b> For measurement 1 of a verify step the window starts when the step
   * began; for measurement {@code n > 1} it starts at measurement {@code n - 1}. The first
   * measurement is taken {@code initialDelay} after the step began or, when the step has no initial
   * delay, one {@code interval} after; later ones one {@code interval} apart. So every window of an
   * analysis is as long as the initial delay or the interval — never empty — except in a one-shot
   * verify with neither (count 1, no delay, no interval), which measures the instant the step
   * begins: there {@code windowStart} equals {@code now}. A gate that measures over the window must
   * not widen an empty one silently: use a lookback of its own, or return {@link
   * io.cutover.api.Verdict.Outcome#INCONCLUSIVE INCONCLUSIVE} saying how to fix the step (what the
   * built-in metric gates do).
   *
   * <p>For hooks (a {@link #phase()} other than {@link #ANALYSIS}) the window is empty: {@code
   * windowStart} equals {@code now}.
   */
  public Instant windowStart() {
    return windowStart;
  }

  /** The end of the window, from the engine's clock. */
  public Instant now() {
    return now;
  }

  /** The 1-based index of this measurement within its verify step. */
  public int measurement() {
    return measurement;
  }

  /**
   * The 0-based index, in the plan's forward steps, of the step this evaluation belongs to: the
   * verify step of an analysis measurement, the hook or migration step of a hook, the launch, scale
   * or retire step of a warm-up or pre-stop, the step an event hook's event is about. -1 when there
   * is none: rollback hooks polled across the rollout, steps of the rollback, events outside any
   * step. Together with {@link #rolloutId()}, {@link #phase()} and {@link #measurement()} it tells
   * two evaluations of one rollout apart (e.g. the first measurement of two analysis steps).
   */
  public int step() {
    return step;
  }

  /** READY instances of the candidate. */
  public List<Instance> candidateInstances() {
    return candidateInstances;
  }

  /** The lifecycle phase for hooks (e.g. {@code pre-rollout}), or {@link #ANALYSIS}. */
  public String phase() {
    return phase;
  }

  /** Hook parameters, empty for analysis. */
  public Map<String, String> params() {
    return params;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof GateContext c
        && measurement == c.measurement
        && step == c.step
        && rolloutId.equals(c.rolloutId)
        && service.equals(c.service)
        && Objects.equals(stable, c.stable)
        && candidate.equals(c.candidate)
        && windowStart.equals(c.windowStart)
        && now.equals(c.now)
        && candidateInstances.equals(c.candidateInstances)
        && phase.equals(c.phase)
        && params.equals(c.params);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        rolloutId,
        service,
        stable,
        candidate,
        windowStart,
        now,
        measurement,
        step,
        candidateInstances,
        phase,
        params);
  }

  @Override
  public String toString() {
    return "GateContext[rolloutId="
        + rolloutId
        + ", service="
        + service
        + ", stable="
        + stable
        + ", candidate="
        + candidate
        + ", windowStart="
        + windowStart
        + ", now="
        + now
        + ", measurement="
        + measurement
        + ", step="
        + step
        + ", candidateInstances="
        + candidateInstances
        + ", phase="
        + phase
        + ", params="
        + params
        + "]";
  }

  /**
   * Builds a {@link GateContext}. Each field may be set once (a second call is almost always a
   * mistake and throws {@link IllegalStateException}); {@link #build()} reports every missing
   * required field at once. Not thread-safe.
   */
  public static final class Builder {
    // One bit per field already set (see once); a HashSet of names cost a tenth of the engine
    // benchmark's CPU, as every measurement builds a context.
    private int set;
    private @Nullable String rolloutId;
    private @Nullable String service;
    private @Nullable Release stable;
    private @Nullable Release candidate;
    private @Nullable Instant windowStart;
    private @Nullable Instant now;
    private int measurement = 1;
    private int step = -1;
    private List<Instance> candidateInstances = List.of();
    private String phase = ANALYSIS;
    private Map<String, String> params = Map.of();

    private Builder() {}

    /** The rollout (required). */
    public Builder rolloutId(String rolloutId) {
      once(0, "rolloutId");
      this.rolloutId = Objects.requireNonNull(rolloutId, "rolloutId");
      return this;
    }

    /** The service (required). */
    public Builder service(String service) {
      once(1, "service");
      this.service = Objects.requireNonNull(service, "service");
      return this;
    }

    /** The stable (baseline) release; null (the default) for a first deployment. */
    public Builder stable(@Nullable Release stable) {
      once(2, "stable");
      this.stable = stable;
      return this;
    }

    /** The release under test (required). */
    public Builder candidate(Release candidate) {
      once(3, "candidate");
      this.candidate = Objects.requireNonNull(candidate, "candidate");
      return this;
    }

    /** Start of the window to judge (required). */
    public Builder windowStart(Instant windowStart) {
      once(4, "windowStart");
      this.windowStart = Objects.requireNonNull(windowStart, "windowStart");
      return this;
    }

    /** The end of the window, from the engine's clock (required). */
    public Builder now(Instant now) {
      once(5, "now");
      this.now = Objects.requireNonNull(now, "now");
      return this;
    }

    /** The 1-based index of the measurement within its verify step; default 1. */
    public Builder measurement(int measurement) {
      once(6, "measurement");
      this.measurement = measurement;
      return this;
    }

    /** The plan step the evaluation belongs to (see {@link GateContext#step()}); default -1. */
    public Builder step(int step) {
      once(7, "step");
      this.step = step;
      return this;
    }

    /** READY instances of the candidate (copied); default none. */
    public Builder candidateInstances(List<Instance> instances) {
      once(8, "candidateInstances");
      this.candidateInstances = List.copyOf(instances);
      return this;
    }

    /** The lifecycle phase for hooks, e.g. {@code pre-rollout}; default {@link #ANALYSIS}. */
    public Builder phase(String phase) {
      once(9, "phase");
      this.phase = Objects.requireNonNull(phase, "phase");
      return this;
    }

    /** Hook parameters (copied); default none. */
    public Builder params(Map<String, String> params) {
      once(10, "params");
      this.params = Map.copyOf(params);
      return this;
    }

    /**
     * Builds the context.
     *
     * @throws InvalidSpecException naming every required field that was not set
     */
    public GateContext build() {
      List<InvalidSpecException.Violation> missing = new ArrayList<>();
      require(rolloutId, "rolloutId", missing);
      require(service, "service", missing);
      require(candidate, "candidate", missing);
      require(windowStart, "windowStart", missing);
      require(now, "now", missing);
      if (!missing.isEmpty()) {
        throw new InvalidSpecException(missing);
      }
      return new GateContext(this);
    }

    private static void require(
        @Nullable Object value, String field, List<InvalidSpecException.Violation> missing) {
      if (value == null) {
        missing.add(
            new InvalidSpecException.Violation(
                "gateContext." + field,
                "is missing",
                "call GateContext.builder()." + field + "(...)"));
      }
    }

    private void once(int bit, String field) {
      int mask = 1 << bit;
      if ((set & mask) != 0) {
        throw new IllegalStateException(
            "GateContext." + field + " was already set on this builder");
      }
      set |= mask;
    }
  }
}
