// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.fault;

import io.cutover.api.ProviderException;
import io.cutover.api.Verdict;
import io.cutover.spi.HealthGate;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** The invocation handler behind every fault wrapper; configured by {@link FaultBuilder}. */
final class FaultInjector implements InvocationHandler {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  record Plan(
      Class<?> spi,
      String provider,
      Set<String> operations,
      Set<Long> failCalls,
      Set<Long> hangCalls,
      @Nullable Duration hangTimeout,
      @Nullable Duration hangAll,
      List<Instant[]> outages,
      double probability,
      long seed,
      boolean afterEffect,
      boolean retryable,
      Duration latency,
      @Nullable InstantSource clock,
      @Nullable ScheduledExecutorService scheduler,
      @Nullable Duration nonBlockingTimeout) {}

  private final Plan plan;
  private final Object delegate;
  private final FaultLog log = new FaultLog();

  FaultInjector(Plan plan, Object delegate) {
    this.plan = plan;
    this.delegate = delegate;
  }

  static Set<String> faultable(Class<?> spi) {
    return Arrays.stream(spi.getMethods())
        .filter(FaultBuilder::isFaultable)
        .map(Method::getName)
        .collect(Collectors.toUnmodifiableSet());
  }

  FaultLog log() {
    return log;
  }

  @Override
  public @Nullable Object invoke(Object proxy, Method method, Object @Nullable [] args)
      throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      return switch (method.getName()) {
        case "equals" -> args != null && proxy == args[0];
        case "hashCode" -> System.identityHashCode(proxy);
        default -> "Faulty[" + delegate + "]";
      };
    }
    String op = method.getName();
    if (method.isDefault()
        && op.endsWith("Async")
        && plan.operations().contains(op.substring(0, op.length() - "Async".length()))) {
      // The SPI's pipelined variant (Journal.appendAsync) of a faulted call: its default
      // implementation calls the blocking one on this proxy, where the fault is injected, and
      // returns a future that holds the injected failure.
      return InvocationHandler.invokeDefault(proxy, method, args);
    }
    if (!FaultBuilder.isFaultable(method) || !plan.operations().contains(op)) {
      return forward(method, args);
    }
    long n = log.called(op);
    Duration hang =
        plan.hangAll() != null
            ? plan.hangAll()
            : plan.hangCalls().contains(n) ? plan.hangTimeout() : null;
    Duration timeout = plan.nonBlockingTimeout();
    if (timeout != null) {
      if (hang != null || plan.latency().compareTo(timeout) >= 0) {
        return fail(
            method,
            op,
            n,
            FaultLog.Kind.HUNG,
            "timed out after "
                + timeout
                + " (injected "
                + (hang != null ? "hang" : "latency of " + plan.latency())
                + ")");
      }
      if (!plan.latency().isZero()) {
        log.injected(new FaultLog.Injection(op, n, FaultLog.Kind.DELAYED, now()));
      }
    } else {
      if (!plan.latency().isZero()) {
        block(op, plan.latency());
        log.injected(new FaultLog.Injection(op, n, FaultLog.Kind.DELAYED, now()));
      }
      if (hang != null) {
        block(op, hang);
        return fail(method, op, n, FaultLog.Kind.HUNG, "hung for " + hang + " (injected)");
      }
    }
    Instant now = now();
    if (now != null) {
      for (Instant[] w : plan.outages()) {
        if (!now.isBefore(w[0]) && now.isBefore(w[1])) {
          return fail(
              method,
              op,
              n,
              FaultLog.Kind.OUTAGE,
              "unavailable during the outage " + w[0] + " to " + w[1] + " (injected)");
        }
      }
    }
    boolean failing =
        plan.failCalls().contains(n)
            || (plan.probability() > 0
                && new SplittableRandom(plan.seed() ^ (n * GOLDEN_GAMMA)).nextDouble()
                    < plan.probability());
    if (!failing) {
      return forward(method, args);
    }
    if (plan.afterEffect()) {
      forward(method, args);
      return fail(
          method,
          op,
          n,
          FaultLog.Kind.FAILED_AFTER_EFFECT,
          "call " + n + " took effect but its response" + " was lost (injected)");
    }
    return fail(method, op, n, FaultLog.Kind.FAILED, "call " + n + " failed (injected)");
  }

  private @Nullable Object forward(Method method, Object @Nullable [] args) throws Throwable {
    try {
      return method.invoke(delegate, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** Health gates report an ERROR verdict, as their contract asks; everything else throws. */
  private Object fail(Method method, String op, long n, FaultLog.Kind kind, String why) {
    log.injected(new FaultLog.Injection(op, n, kind, now()));
    if (plan.spi() == HealthGate.class && method.getReturnType() == Verdict.class) {
      return Verdict.error(plan.provider() + "." + op + " failed: " + why);
    }
    throw plan.retryable()
        ? ProviderException.retryable(plan.provider(), op, why)
        : ProviderException.permanent(plan.provider(), op, why);
  }

  /** Parks the calling thread until the scheduler has advanced {@code d}. */
  private void block(String op, Duration d) {
    // Blocking mode (no nonBlockingTimeout): FaultBuilder refuses latency or hangs without a
    // scheduler.
    ScheduledExecutorService s = Objects.requireNonNull(plan.scheduler(), "scheduler");
    CountDownLatch latch = new CountDownLatch(1);
    // Scheduled before the call counts as blocked, so a test that sees it blocked can advance past
    // it.
    ScheduledFuture<?> due = s.schedule(latch::countDown, d.toNanos(), TimeUnit.NANOSECONDS);
    log.blocking(latch);
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      due.cancel(false);
      throw ProviderException.retryable(
          plan.provider(), op, "interrupted while waiting " + d + " (injected latency)", e);
    } finally {
      log.unblocked(latch);
    }
  }

  private @Nullable Instant now() {
    InstantSource c = plan.clock();
    return c == null ? null : c.instant();
  }
}
