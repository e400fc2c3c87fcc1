// SPDX-License-Identifier: Apache-2.0
package io.cutover.core;

import io.cutover.api.InvalidSpecException;
import java.time.Duration;

/**
 * How the engine protects itself from one provider: retries with exponential backoff, a circuit
 * breaker, and a time limit per attempt (Resilience4j underneath). Time is the engine's injected
 * clock and scheduler, so backoffs and timeouts run in virtual time under the testkit.
 *
 * <p>A call is retried when it fails with a retryable {@link io.cutover.api.ProviderException},
 * times out, or throws an unexpected runtime exception; never for {@link InvalidSpecException} or a
 * non-retryable provider failure. When attempts are exhausted the step fails and the rollout
 * aborts, leaving traffic at the last split that was applied and verified.
 *
 * @param maxAttempts attempts in total, at least 1
 * @param initialBackoff wait before the second attempt
 * @param backoffMultiplier growth of the wait per attempt, at least 1.0
 * @param maxBackoff cap on the wait
 * @param attemptTimeout time limit of one attempt
 * @param failureRateThreshold percentage of failed calls (in the sliding window) that opens the
 *     breaker
 * @param slidingWindowSize number of calls the breaker looks at
 * @param openStateWait how long the breaker stays open before letting a trial call through
 */
public record ResiliencePolicy(
    int maxAttempts,
    Duration initialBackoff,
    double backoffMultiplier,
    Duration maxBackoff,
    Duration attemptTimeout,
    float failureRateThreshold,
    int slidingWindowSize,
    Duration openStateWait) {

  /**
   * 5 attempts, 200 ms backoff doubling to 5 s, 30 s per attempt, breaker at 50 % of 20 calls, open
   * 30 s.
   */
  public static final ResiliencePolicy DEFAULT =
      new ResiliencePolicy(
          5,
          Duration.ofMillis(200),
          2.0,
          Duration.ofSeconds(5),
          Duration.ofSeconds(30),
          50f,
          20,
          Duration.ofSeconds(30));

  /** One attempt, no backoff: for tests that want the first failure to count. */
  public static final ResiliencePolicy NO_RETRY =
      new ResiliencePolicy(
          1,
          Duration.ofMillis(1),
          1.0,
          Duration.ofMillis(1),
          Duration.ofSeconds(30),
          100f,
          100,
          Duration.ofSeconds(1));

  /** Validates every field. */
  public ResiliencePolicy {
    if (maxAttempts < 1) {
      throw new InvalidSpecException(
          "resilience.maxAttempts", "is " + maxAttempts, "use 1 or more");
    }
    positive(initialBackoff, "resilience.initialBackoff");
    positive(maxBackoff, "resilience.maxBackoff");
    positive(attemptTimeout, "resilience.attemptTimeout");
    positive(openStateWait, "resilience.openStateWait");
    if (!(backoffMultiplier >= 1.0)) {
      throw new InvalidSpecException(
          "resilience.backoffMultiplier", "is " + backoffMultiplier, "use 1.0 or more");
    }
    if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) {
      throw new InvalidSpecException(
          "resilience.failureRateThreshold",
          "is " + failureRateThreshold,
          "use a percentage in (0, 100]");
    }
    if (slidingWindowSize < 1) {
      throw new InvalidSpecException(
          "resilience.slidingWindowSize", "is " + slidingWindowSize, "use 1 or more");
    }
  }

  /** A copy with another number of attempts. */
  public ResiliencePolicy withMaxAttempts(int attempts) {
    return new ResiliencePolicy(
        attempts,
        initialBackoff,
        backoffMultiplier,
        maxBackoff,
        attemptTimeout,
        failureRateThreshold,
        slidingWindowSize,
        openStateWait);
  }

  /** A copy with another per-attempt time limit. */
  public ResiliencePolicy withAttemptTimeout(Duration timeout) {
    return new ResiliencePolicy(
        maxAttempts,
        initialBackoff,
        backoffMultiplier,
        maxBackoff,
        timeout,
        failureRateThreshold,
        slidingWindowSize,
        openStateWait);
  }

  private static void positive(Duration d, String field) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new InvalidSpecException(field, "is " + d, "use a positive duration");
    }
  }
}
