// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.core.ResiliencePolicy;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Calls one provider with retry (exponential backoff), a circuit breaker and a per-attempt time
 * limit, all timed by the engine's scheduler and clock. The blocking provider method runs on the
 * provider executor; the returned stage completes there or on the scheduler.
 *
 * <p>A timed-out attempt cannot be stopped (cancelling a future does not stop the work it stands
 * for), so attempts are serialized: a retry starts only once the previous attempt has really ended,
 * and an attempt whose time ran out while it waited is abandoned without starting. Calls that name
 * the same lane (the engine uses the service) are serialized the same way, so a provider never sees
 * two calls at once for one service, whatever the timeouts.
 */
public final class ResilientCaller {
  private final String provider;
  private final ScheduledExecutorService scheduler;
  private final Executor executor;
  private final ResiliencePolicy policy;
  private final InstantSource clock;
  private final BiConsumer<Integer, Throwable> onRetry;
  private final boolean singleAttempt;
  // Built at the first call, not with the engine: resilience4j's classes (about 75) and its
  // configuration are then no part of building a Cutover that has not called a provider yet.
  private volatile @Nullable Guards guards;

  /** Per lane, the end of the work started last in it; removed when that work ends. */
  private final ConcurrentHashMap<Object, CompletableFuture<Void>> lanes =
      new ConcurrentHashMap<>();

  /**
   * @param provider name used in errors and metrics, e.g. {@code router}
   * @param onRetry called with (attempt number, failure) before each retry
   */
  public ResilientCaller(
      String provider,
      ResiliencePolicy policy,
      ScheduledExecutorService scheduler,
      Executor executor,
      InstantSource clock,
      BiConsumer<Integer, Throwable> onRetry) {
    this.provider = provider;
    this.scheduler = scheduler;
    this.executor = executor;
    this.policy = policy;
    this.clock = clock;
    this.onRetry = onRetry;
    this.singleAttempt = policy.maxAttempts() == 1;
  }

  /** The breaker, retry and time limiter of this provider. */
  private static final class Guards {
    final CircuitBreaker breaker;
    final Retry retry;
    final TimeLimiter limiter;

    Guards(
        String provider,
        ResiliencePolicy policy,
        InstantSource clock,
        BiConsumer<Integer, Throwable> onRetry) {
      this.breaker =
          CircuitBreaker.of(
              provider,
              CircuitBreakerConfig.custom()
                  .failureRateThreshold(policy.failureRateThreshold())
                  .slidingWindowSize(policy.slidingWindowSize())
                  .minimumNumberOfCalls(Math.min(policy.slidingWindowSize(), 10))
                  .waitDurationInOpenState(policy.openStateWait())
                  .clock(clock.withZone(ZoneOffset.UTC))
                  .recordException(ResilientCaller::countsAsFailure)
                  .build());
      this.retry =
          Retry.of(
              provider,
              RetryConfig.custom()
                  .maxAttempts(policy.maxAttempts())
                  .intervalFunction(
                      IntervalFunction.ofExponentialBackoff(
                          policy.initialBackoff(), policy.backoffMultiplier(), policy.maxBackoff()))
                  .retryOnException(ResilientCaller::retryable)
                  .failAfterMaxAttempts(false)
                  .build());
      this.retry
          .getEventPublisher()
          .onRetry(e -> onRetry.accept(e.getNumberOfRetryAttempts(), e.getLastThrowable()));
      this.limiter =
          TimeLimiter.of(
              provider,
              TimeLimiterConfig.custom()
                  .timeoutDuration(policy.attemptTimeout())
                  .cancelRunningFuture(true)
                  .build());
    }

    /**
     * The breaker's refusal, typed {@code Throwable} here: verifying {@link ResilientCaller}, which
     * every engine build loads, then does not load resilience4j's exception class.
     */
    Throwable refusal() {
      return CallNotPermittedException.createCallNotPermittedException(breaker);
    }
  }

  private Guards guards() {
    Guards g = guards;
    if (g == null) {
      synchronized (this) {
        g = guards;
        if (g == null) {
          g = new Guards(provider, policy, clock, onRetry);
          guards = g;
        }
      }
    }
    return g;
  }

  /** Logged rarely (a throwing retry listener): looked up then, not when the engine is built. */
  private static Logger log() {
    return LoggerFactory.getLogger(ResilientCaller.class);
  }

  /** The provider's name. */
  public String provider() {
    return provider;
  }

  /** The circuit breaker, for inspection. */
  public CircuitBreaker breaker() {
    return guards().breaker;
  }

  /**
   * Runs {@code body} with the protections. The stage fails with the last failure, unwrapped; a
   * timeout is reported as a retryable {@link ProviderException} naming the operation.
   */
  public <T> CompletableFuture<T> call(String operation, Supplier<T> body) {
    return call(operation, null, body);
  }

  /**
   * Like {@link #call(String, Supplier)}, serialized with every other call in {@code lane}: an
   * attempt starts only once the work last started in the lane has ended (not merely timed out).
   *
   * @param lane what must never see two calls at once, e.g. a service; null for none
   */
  public <T> CompletableFuture<T> call(String operation, @Nullable String lane, Supplier<T> body) {
    return call(operation, lane, body, (n, t) -> {});
  }

  /**
   * Like {@link #call(String, String, Supplier)}, telling {@code retried} (attempt number that
   * failed, its failure) before each retry of this call only, so that a rollout can report the
   * retries of its own calls. The caller-wide listener of the constructor is told as well. The body
   * runs with the SLF4J MDC of the thread that made the call (the rollout's logging context),
   * whichever thread runs it.
   */
  public <T> CompletableFuture<T> call(
      String operation,
      @Nullable String lane,
      Supplier<T> body,
      BiConsumer<Integer, Throwable> retried) {
    CallerMdc<T> withMdc = new CallerMdc<>(body);
    try {
      return callWithMdc(operation, lane, withMdc, retried);
    } finally {
      withMdc.callReturned();
    }
  }

  private <T> CompletableFuture<T> callWithMdc(
      String operation,
      @Nullable String lane,
      Supplier<T> body,
      BiConsumer<Integer, Throwable> retried) {
    if (singleAttempt) {
      return callOnce(operation, lane, body);
    }
    Guards g = guards();
    // Without a lane, the attempts of this call are still serialized among themselves.
    Object key = lane != null ? lane : new Object();
    Supplier<CompletionStage<T>> limited =
        () -> {
          CompletableFuture<T> attempt = start(key, body);
          if (attempt.isDone()) {
            // Ran inline (or already finished): there is nothing left to time out, so no timer is
            // armed.
            return attempt;
          }
          return g.limiter
              .executeCompletionStage(scheduler, () -> attempt)
              .exceptionallyCompose(
                  t -> CompletableFuture.failedFuture(translate(operation, unwrap(t))));
        };
    Supplier<CompletionStage<T>> breakerGuarded =
        CircuitBreaker.decorateCompletionStage(g.breaker, limited);
    // Resilience4j's retry events are per Retry instance (all calls of this provider); this call's
    // own retries are counted here, so they can be reported to the rollout that made the call.
    AtomicInteger attempts = new AtomicInteger();
    AtomicReference<@Nullable Throwable> lastFailure = new AtomicReference<>();
    Supplier<CompletionStage<T>> guarded =
        () -> {
          int n = attempts.incrementAndGet();
          Throwable last = lastFailure.get();
          if (n > 1 && last != null) {
            try {
              retried.accept(n - 1, last);
            } catch (RuntimeException e) {
              log().warn("retry listener of {} {} threw; ignored", provider, operation, e);
            }
          }
          return breakerGuarded
              .get()
              .whenComplete(
                  (v, t) -> {
                    if (t != null) {
                      lastFailure.set(unwrap(t));
                    }
                  });
        };
    CompletableFuture<T> out = new CompletableFuture<>();
    Retry.decorateCompletionStage(g.retry, scheduler, guarded)
        .get()
        .whenComplete(
            (v, t) -> {
              if (t != null) {
                out.completeExceptionally(translate(operation, unwrap(t)));
              } else {
                out.complete(v);
              }
            });
    return out;
  }

  /**
   * One attempt (gates): the breaker's own permission API instead of the stage decorators, which
   * costs a fraction on the hot path of analysis; same semantics.
   */
  private <T> CompletableFuture<T> callOnce(
      String operation, @Nullable String lane, Supplier<T> body) {
    Guards g = guards();
    CircuitBreaker breaker = g.breaker;
    if (!breaker.tryAcquirePermission()) {
      return CompletableFuture.failedFuture(translate(operation, g.refusal()));
    }
    long start = breaker.getCurrentTimestamp();
    CompletableFuture<T> attempt =
        lane == null ? CompletableFuture.supplyAsync(body, executor) : start(lane, body);
    CompletableFuture<T> stage =
        attempt.isDone()
            ? attempt
            : g.limiter.executeCompletionStage(scheduler, () -> attempt).toCompletableFuture();
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenComplete(
        (v, t) -> {
          long took = breaker.getCurrentTimestamp() - start;
          if (t != null) {
            Throwable u = translate(operation, unwrap(t));
            breaker.onError(took, breaker.getTimestampUnit(), u);
            out.completeExceptionally(u);
          } else {
            breaker.onSuccess(took, breaker.getTimestampUnit());
            out.complete(v);
          }
        });
    return out;
  }

  /**
   * Runs {@code body} on the executor once the work last started in lane {@code key} has ended. The
   * returned future may be cancelled (timed out) at any time: before the body starts, the body is
   * then skipped; after, it runs to its end and the lane waits for it.
   */
  private <T> CompletableFuture<T> start(Object key, Supplier<T> body) {
    CompletableFuture<T> result = new CompletableFuture<>();
    CompletableFuture<Void> ended = new CompletableFuture<>();
    Runnable finish =
        () -> {
          lanes.remove(key, ended);
          ended.complete(null);
        };
    Runnable work =
        () -> {
          try {
            if (!result.isDone()) {
              result.complete(body.get());
            }
          } catch (RuntimeException | Error e) {
            result.completeExceptionally(e);
          } finally {
            finish.run();
          }
        };
    Runnable submit =
        () -> {
          try {
            executor.execute(work);
          } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
            finish.run();
          }
        };
    CompletableFuture<Void> before = lanes.put(key, ended);
    if (before == null) {
      submit.run();
    } else {
      before.whenComplete((v, e) -> submit.run());
    }
    return result;
  }

  private Throwable translate(String operation, Throwable t) {
    if (t instanceof TimeoutException) {
      return ProviderException.retryable(
          provider, operation, "timed out after " + policy.attemptTimeout(), t);
    }
    if (t instanceof CallNotPermittedException) {
      return ProviderException.permanent(
          provider, operation, "circuit breaker is open after repeated failures", t);
    }
    return t;
  }

  /**
   * {@code body} running with the MDC of the calling thread (the rollout's service, rollout id,
   * release and digest), restoring the running thread's own MDC afterwards: provider threads and
   * the scheduler carry no rollout context of their own. A body that runs on the calling thread
   * before the call returns (a direct provider executor) already sees the caller's MDC and skips
   * the swap: with slf4j's map-based adapters each swap copies the map, four copies per gate
   * evaluation.
   */
  private static final class CallerMdc<T> implements Supplier<T> {
    private final Supplier<T> body;
    private final Thread caller = Thread.currentThread();
    private final @Nullable Map<String, String> mdc = MDC.getCopyOfContextMap();
    // Written and read for the shortcut on the calling thread only.
    private boolean inCall = true;

    CallerMdc(Supplier<T> body) {
      this.body = body;
    }

    void callReturned() {
      inCall = false;
    }

    @Override
    public T get() {
      Map<String, String> m = mdc;
      if (m == null || m.isEmpty() || (Thread.currentThread() == caller && inCall)) {
        return body.get();
      }
      Map<String, String> before = MDC.getCopyOfContextMap();
      MDC.setContextMap(m);
      try {
        return body.get();
      } finally {
        if (before == null) {
          MDC.clear();
        } else {
          MDC.setContextMap(before);
        }
      }
    }
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  static boolean retryable(Throwable t) {
    Throwable u = unwrap(t);
    if (u instanceof ProviderException p) {
      return p.retryable();
    }
    if (u instanceof InvalidSpecException || u instanceof CallNotPermittedException) {
      return false;
    }
    return u instanceof RuntimeException || u instanceof TimeoutException;
  }

  private static boolean countsAsFailure(Throwable t) {
    // Bad input is the caller's fault, not the provider's: it must not open the breaker.
    return !(unwrap(t) instanceof InvalidSpecException);
  }
}
