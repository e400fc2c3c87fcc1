// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/**
 * A clock that moves only when told to: the time source of every testkit test.
 *
 * <p>It starts at a given instant ({@link #DEFAULT_START} unless stated) and moves forward with
 * {@link #advance(Duration)} or {@link #advanceTo(Instant)}; it never moves backwards and never
 * moves by itself. Besides the wall-clock {@link #instant()} it offers {@link #nanos()}, the
 * monotonic nanoseconds elapsed since the start, for code that measures durations the way it would
 * with {@code System.nanoTime()}.
 *
 * <p>A clock is usually driven by a {@link VirtualScheduler} ({@link VirtualScheduler#advance}),
 * which moves it task by task. Advancing the clock directly runs nothing: tasks that became due run
 * at the scheduler's next {@link VirtualScheduler#runUntilIdle()}.
 *
 * <p><b>Threading.</b> Reads are safe from any thread and never block; writes are serialized.
 *
 * <p><b>Errors.</b> {@link IllegalArgumentException} for a move backwards or beyond roughly 292
 * years of elapsed time.
 */
public final class VirtualClock implements InstantSource {

  /** Where a clock starts unless told otherwise: 2026-01-01T00:00:00Z. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

  private final Instant start;
  // Elapsed nanoseconds since start: one volatile long keeps reads lock-free and allocation-free.
  private volatile long elapsedNanos;

  private VirtualClock(Instant start) {
    this.start = Objects.requireNonNull(start, "start");
  }

  /** A clock at {@link #DEFAULT_START}. */
  public static VirtualClock create() {
    return new VirtualClock(DEFAULT_START);
  }

  /** A clock at {@code start}. */
  public static VirtualClock startingAt(Instant start) {
    return new VirtualClock(start);
  }

  /** The instant the clock started at. */
  public Instant start() {
    return start;
  }

  /** The current virtual instant. */
  @Override
  public Instant instant() {
    return start.plusNanos(elapsedNanos);
  }

  /** Milliseconds since the epoch at the current virtual instant. */
  @Override
  public long millis() {
    return instant().toEpochMilli();
  }

  /** Monotonic nanoseconds elapsed since {@link #start()}. */
  public long nanos() {
    return elapsedNanos;
  }

  /** Virtual time elapsed since {@link #start()}. */
  public Duration elapsed() {
    return Duration.ofNanos(elapsedNanos);
  }

  /**
   * Moves the clock forward by {@code duration}; zero is allowed.
   *
   * @return the new instant
   * @throws IllegalArgumentException if the duration is negative
   */
  public Instant advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException(
          "cannot advance a virtual clock by a negative duration ("
              + duration
              + "); virtual time only moves forward");
    }
    synchronized (this) {
      elapsedNanos = checkedElapsed(elapsedNanos, duration);
    }
    return instant();
  }

  /**
   * Moves the clock to {@code target}.
   *
   * @throws IllegalArgumentException if {@code target} is before the current instant
   */
  public void advanceTo(Instant target) {
    Objects.requireNonNull(target, "target");
    synchronized (this) {
      Instant now = instant();
      if (target.isBefore(now)) {
        throw new IllegalArgumentException(
            "cannot move a virtual clock back from "
                + now
                + " to "
                + target
                + "; virtual time only moves forward");
      }
      elapsedNanos = checkedElapsed(elapsedNanos, Duration.between(now, target));
    }
  }

  /** The elapsed nanoseconds of {@code instant}, for schedulers that compute due times. */
  long nanosAt(Instant instant) {
    return checkedElapsed(0, Duration.between(start, instant));
  }

  /** Moves to {@code nanos} elapsed if that is later than now; used by the scheduler. */
  void moveToNanos(long nanos) {
    if (nanos
        > elapsedNanos) { // most tasks share a due time: skip the lock when there is nothing to do
      synchronized (this) {
        if (nanos > elapsedNanos) {
          elapsedNanos = nanos;
        }
      }
    }
  }

  private static long checkedElapsed(long base, Duration d) {
    try {
      return Math.addExact(base, d.toNanos());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "virtual time overflow: "
              + d
              + " after "
              + Duration.ofNanos(base)
              + " exceeds about 292 years of elapsed time; use shorter durations",
          e);
    }
  }

  @Override
  public String toString() {
    return "VirtualClock[" + instant() + "]";
  }
}
