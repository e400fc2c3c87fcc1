// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.fault;

import io.cutover.api.InvalidSpecException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * Configures which calls of one wrapped SPI object misbehave, then {@link #build()}s the wrapper.
 * Obtained from {@link Faults}. Not thread-safe; the wrapper it builds is.
 *
 * <p><b>Order of checks</b> for each faultable call, numbered from 1: virtual {@link #latency}
 * first; then a {@link #hang}; then an {@link #outage} window (judged at the time after the
 * latency); then {@link #failNth}; then {@link #failWithProbability}. The first that applies
 * decides the call.
 *
 * <p><b>Virtual latency and hangs.</b> SPI calls are blocking, so a slow provider is modelled by
 * blocking the calling thread until the {@link #scheduler} runs a task scheduled that far ahead: on
 * a virtual scheduler nothing waits in real time; the call completes when the test advances virtual
 * time past it, so the engine's time limiter (on the same scheduler) sees exactly what it would see
 * against a slow system. The calling thread must therefore not be the thread that drives the
 * virtual scheduler (the engine calls providers on its provider executor, so this holds). A hang
 * blocks for its timeout and then fails with a retryable {@code ProviderException} ("hung for
 * ..."), freeing the thread even when the engine gave up on the call earlier. {@link
 * FaultLog#releaseAll()} unblocks everything at teardown. Where provider calls run on the driving
 * thread itself (an inline provider executor, as in {@code RolloutHarness}), blocking would
 * deadlock: use {@link #nonBlocking(Duration)} there instead.
 *
 * <p><b>Randomness</b> is a pure function of the seed and the call number, so a seeded run fails
 * the same calls whatever the thread interleaving.
 *
 * <p>Bad settings are refused with {@link InvalidSpecException} naming the setting, when set or at
 * {@link #build()}.
 *
 * @param <T> the SPI
 */
public final class FaultBuilder<T> {
  private final Class<T> spi;
  private final T delegate;
  private String provider;
  private final Set<String> only = new LinkedHashSet<>();
  private final Set<Long> failCalls = new TreeSet<>();
  private final Set<Long> hangCalls = new TreeSet<>();
  private final List<Instant[]> outages = new ArrayList<>();
  private double probability;
  private long seed;
  private boolean afterEffect;
  private boolean retryable = true;
  private Duration latency = Duration.ZERO;
  private @Nullable Duration hangAll;
  private @Nullable Duration hangTimeout;
  private @Nullable InstantSource clock;
  private @Nullable ScheduledExecutorService scheduler;
  private @Nullable Duration nonBlockingTimeout;

  FaultBuilder(Class<T> spi, T delegate, String provider) {
    this.spi = spi;
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.provider = provider;
  }

  /** The provider name put in injected {@code ProviderException}s; defaults to the SPI kind. */
  public FaultBuilder<T> named(String providerName) {
    this.provider = Objects.requireNonNull(providerName, "providerName");
    return this;
  }

  /**
   * Restricts faults (and call counting) to these operations (SPI method names); other calls pass
   * through untouched. By default every operation is faultable.
   */
  public FaultBuilder<T> only(String... operations) {
    Set<String> known = FaultInjector.faultable(spi);
    for (String op : operations) {
      if (!known.contains(op)) {
        throw new InvalidSpecException(
            "faults.only",
            "'" + op + "' is not an operation of " + spi.getSimpleName(),
            "use one of " + new TreeSet<>(known));
      }
      only.add(op);
    }
    return this;
  }

  /**
   * Fails the given calls (1-based) before they reach the wrapped object. May be called again to
   * add calls.
   */
  public FaultBuilder<T> failNth(int... calls) {
    add(failCalls, "faults.failNth", calls);
    return this;
  }

  /** Fails each call with probability {@code p}, decided by {@code seed} and the call number. */
  public FaultBuilder<T> failWithProbability(double p, long seed) {
    if (!(p >= 0 && p <= 1)) {
      throw new InvalidSpecException(
          "faults.failWithProbability", "probability is " + p, "use a value in [0, 1]");
    }
    this.probability = p;
    this.seed = seed;
    return this;
  }

  /**
   * Makes {@link #failNth} and {@link #failWithProbability} failures happen after the wrapped
   * object performed the call: the effect happened but the caller sees an error, as when a response
   * is lost. This is what idempotent operation ids exist for.
   */
  public FaultBuilder<T> failAfterEffect() {
    this.afterEffect = true;
    return this;
  }

  /** Injected {@code ProviderException}s say retrying cannot help (default: retryable). */
  public FaultBuilder<T> nonRetryable() {
    this.retryable = false;
    return this;
  }

  /** Fails every call made at a virtual time in {@code [from, to)}. Needs a {@link #clock}. */
  public FaultBuilder<T> outage(Instant from, Instant to) {
    if (!to.isAfter(from)) {
      throw new InvalidSpecException(
          "faults.outage",
          "window [" + from + ", " + to + ") is empty",
          "give an end after the start");
    }
    outages.add(new Instant[] {from, to});
    return this;
  }

  /**
   * Delays every call by {@code latency} of virtual time before it proceeds. Needs a {@link
   * #scheduler}.
   */
  public FaultBuilder<T> latency(Duration latency) {
    if (latency.isNegative()) {
      throw new InvalidSpecException(
          "faults.latency", "is " + latency, "use zero or a positive duration");
    }
    this.latency = latency;
    return this;
  }

  /**
   * Every call hangs for {@code timeout} of virtual time, then fails. Needs a {@link #scheduler}.
   */
  public FaultBuilder<T> hang(Duration timeout) {
    this.hangAll = positive(timeout, "faults.hang");
    return this;
  }

  /**
   * The given calls (1-based) hang for {@code timeout} of virtual time, then fail. Needs a {@link
   * #scheduler}.
   */
  public FaultBuilder<T> hangNth(Duration timeout, int... calls) {
    this.hangTimeout = positive(timeout, "faults.hangNth");
    add(hangCalls, "faults.hangNth", calls);
    return this;
  }

  /**
   * For engines that call providers on the thread that drives virtual time (an inline provider
   * executor, as {@code RolloutHarness} uses), where a blocked call could never be woken: a hang,
   * or latency of at least {@code attemptTimeout}, fails the call at once with the retryable {@code
   * ProviderException} the engine's time limiter would have produced ("timed out after ...");
   * shorter latency passes without delay, since an inline call cannot take virtual time. No
   * scheduler is needed (or allowed).
   */
  public FaultBuilder<T> nonBlocking(Duration attemptTimeout) {
    this.nonBlockingTimeout = positive(attemptTimeout, "faults.nonBlocking");
    return this;
  }

  /** The virtual clock that outage windows and the log's timestamps use. */
  public FaultBuilder<T> clock(InstantSource clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** The (virtual) scheduler that ends latency and hangs. */
  public FaultBuilder<T> scheduler(ScheduledExecutorService scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    return this;
  }

  /**
   * The wrapper: implements {@code T}, forwards to the wrapped object, and injects the configured
   * faults.
   *
   * @throws InvalidSpecException if outages lack a clock, or latency or hangs lack a scheduler
   */
  public T build() {
    List<InvalidSpecException.Violation> v = new ArrayList<>();
    if (!outages.isEmpty() && clock == null) {
      v.add(
          new InvalidSpecException.Violation(
              "faults.clock",
              "outage windows need a clock",
              "call clock(...) with the engine's (virtual) clock"));
    }
    if ((!latency.isZero() || hangAll != null || !hangCalls.isEmpty())
        && scheduler == null
        && nonBlockingTimeout == null) {
      v.add(
          new InvalidSpecException.Violation(
              "faults.scheduler",
              "latency and hangs need a scheduler",
              "call scheduler(...) with the engine's (virtual) scheduler, or nonBlocking(...) if the engine calls"
                  + " providers inline on the thread that drives virtual time"));
    }
    if (scheduler != null && nonBlockingTimeout != null) {
      v.add(
          new InvalidSpecException.Violation(
              "faults.nonBlocking",
              "is set together with a scheduler",
              "choose one: scheduler(...) blocks calls in virtual time, nonBlocking(...) turns them into timeouts"));
    }
    if (!v.isEmpty()) {
      throw new InvalidSpecException(v);
    }
    Set<String> ops = only.isEmpty() ? FaultInjector.faultable(spi) : Set.copyOf(only);
    FaultInjector handler =
        new FaultInjector(
            new FaultInjector.Plan(
                spi,
                provider,
                ops,
                Set.copyOf(failCalls),
                Set.copyOf(hangCalls),
                hangTimeout,
                hangAll,
                List.copyOf(outages),
                probability,
                seed,
                afterEffect,
                retryable,
                latency,
                clock,
                scheduler,
                nonBlockingTimeout),
            delegate);
    return spi.cast(Proxy.newProxyInstance(spi.getClassLoader(), new Class<?>[] {spi}, handler));
  }

  private static void add(Set<Long> into, String path, int... calls) {
    if (calls.length == 0) {
      throw new InvalidSpecException(
          path, "no call numbers given", "name at least one call, e.g. failNth(3)");
    }
    for (int c : calls) {
      if (c < 1) {
        throw new InvalidSpecException(
            path, "call number " + c + " in " + Arrays.toString(calls), "number calls from 1");
      }
      into.add((long) c);
    }
  }

  private static Duration positive(Duration d, String path) {
    if (d.isNegative() || d.isZero()) {
      throw new InvalidSpecException(path, "timeout is " + d, "use a positive duration");
    }
    return d;
  }

  static boolean isFaultable(Method m) {
    return !Modifier.isStatic(m.getModifiers())
        && m.getDeclaringClass() != Object.class
        && !(m.getName().equals("name") && m.getParameterCount() == 0)
        && !(m.getName().equals("close") && m.getParameterCount() == 0);
  }
}
