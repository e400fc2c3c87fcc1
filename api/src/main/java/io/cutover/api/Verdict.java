// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one evaluation of a health gate, with the numbers behind it.
 *
 * @param outcome pass, fail, inconclusive or error
 * @param measurements the values measured, possibly empty
 * @param reasons human-readable explanations, possibly empty
 */
public record Verdict(Outcome outcome, List<Measurement> measurements, List<String> reasons) {

  /** The four outcomes of a gate evaluation, with the semantics the engine gives them. */
  public enum Outcome {
    /** Healthy. */
    PASS,
    /** Unhealthy: counts toward {@code failureLimit}; past it the rollout aborts. */
    FAIL,
    /**
     * Not enough evidence either way (e.g. no data): counts toward {@code inconclusiveLimit}; past
     * it the rollout pauses for a human.
     */
    INCONCLUSIVE,
    /**
     * The gate could not evaluate (metric source down, bad query): counts toward {@code
     * consecutiveErrorLimit}.
     */
    ERROR
  }

  /**
   * One measured value.
   *
   * @param name what was measured, e.g. {@code success_rate}
   * @param releaseId the release it was measured on, if specific to one
   * @param value the value; NaN means no data
   * @param detail the threshold or comparison, e.g. {@code >= 0.99}
   */
  public record Measurement(String name, @Nullable String releaseId, double value, String detail) {
    /**
     * Name of a measurement whose value is the canary's error rate minus the baseline's, as a
     * fraction of requests (0.002 = 0.2 points more errors on the canary). The engine records every
     * such measurement of a deciding or dry-run verdict in the {@code
     * cutover.analysis.error_rate_delta} histogram (SLI M3); a gate that computes the difference
     * adds it to its verdict.
     */
    public static final String ERROR_RATE_DELTA = "cutover.error_rate_delta";

    /**
     * Name of a measurement whose value is the canary's p95 latency minus the baseline's, in
     * seconds; recorded in the {@code cutover.analysis.latency_p95_delta} histogram (SLI M7).
     */
    public static final String LATENCY_P95_DELTA = "cutover.latency_p95_delta";

    /** Validates the parts. */
    public Measurement {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /** Copies the lists. */
  public Verdict {
    Objects.requireNonNull(outcome, "outcome");
    measurements = List.copyOf(measurements);
    reasons = List.copyOf(reasons);
  }

  /** A pass with reasons. */
  public static Verdict pass(String... reasons) {
    return new Verdict(Outcome.PASS, List.of(), List.of(reasons));
  }

  /** A failure with reasons. */
  public static Verdict fail(String... reasons) {
    return new Verdict(Outcome.FAIL, List.of(), List.of(reasons));
  }

  /** An inconclusive result with reasons. */
  public static Verdict inconclusive(String... reasons) {
    return new Verdict(Outcome.INCONCLUSIVE, List.of(), List.of(reasons));
  }

  /** An error with reasons. */
  public static Verdict error(String... reasons) {
    return new Verdict(Outcome.ERROR, List.of(), List.of(reasons));
  }

  /** An error caused by an exception; the message becomes the reason. */
  public static Verdict error(Throwable t) {
    return new Verdict(
        Outcome.ERROR, List.of(), List.of(t.getClass().getSimpleName() + ": " + t.getMessage()));
  }

  /** A copy with one more measurement. */
  public Verdict with(Measurement m) {
    List<Measurement> all = new ArrayList<>(measurements);
    all.add(m);
    return new Verdict(outcome, all, reasons);
  }

  /** Whether the outcome is {@link Outcome#PASS}. */
  public boolean passed() {
    return outcome == Outcome.PASS;
  }

  @Override
  public String toString() {
    return outcome
        + (reasons.isEmpty() ? "" : " " + reasons)
        + (measurements.isEmpty() ? "" : " " + measurements);
  }
}
