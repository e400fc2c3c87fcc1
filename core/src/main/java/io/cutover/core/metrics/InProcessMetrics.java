// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.metrics;

import io.cutover.api.InvalidSpecException;
import io.cutover.core.metrics.internal.Series;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A registry of counters and histograms recorded inside the process, shaped like OpenTelemetry's
 * instruments ({@code counter("http_requests_total").add(1, "release", id, "code", "200")}), that
 * keeps every recording with its time so gates can ask "how many, what share, which p99, since
 * when" per release.
 *
 * <p>Use it when the service under rollout runs in the same JVM (embedded platforms, tests, demos);
 * read it with {@link InProcessMetricSource}. Recordings older than the retention are dropped as
 * new ones arrive, so memory is bounded by traffic × retention.
 *
 * <p><b>Time</b> comes from the injected {@link InstantSource}; under the testkit's virtual clock,
 * a recording made "at minute 3" is seen at minute 3.
 *
 * <p><b>Threading.</b> Safe for concurrent recording and reading; recording never blocks on I/O and
 * never throws for valid input.
 */
public final class InProcessMetrics {
  private static final Pattern NAME = Pattern.compile("^[a-zA-Z_:][a-zA-Z0-9_:.]*$");
  private static final Map<String, InProcessMetrics> SHARED = new ConcurrentHashMap<>();

  private final InstantSource clock;
  private final Duration retention;
  private final Map<String, Instrument> instruments = new ConcurrentHashMap<>();

  private InProcessMetrics(InstantSource clock, Duration retention) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (retention.isNegative() || retention.isZero()) {
      throw new InvalidSpecException(
          "metrics.retention",
          "is " + retention,
          "keep recordings for a positive duration, e.g. 1h");
    }
    this.retention = retention;
  }

  /** A registry reading time from {@code clock} and keeping recordings for {@code retention}. */
  public static InProcessMetrics create(InstantSource clock, Duration retention) {
    return new InProcessMetrics(clock, retention);
  }

  /**
   * The process-wide registry called {@code name}, created on first use with the system clock and a
   * one-hour retention. This is what a {@link InProcessMetricSourceProvider} created from
   * configuration reads; code that can pass objects should prefer {@link #create} and pass the
   * registry explicitly.
   */
  public static InProcessMetrics shared(String name) {
    return SHARED.computeIfAbsent(
        name, n -> new InProcessMetrics(InstantSource.system(), Duration.ofHours(1)));
  }

  /** The clock recordings are stamped with. */
  public InstantSource clock() {
    return clock;
  }

  /** The monotonic counter {@code name}, created on first use. */
  public Counter counter(String name) {
    Instrument i = instruments.computeIfAbsent(checkName(name), n -> new Counter(n, this));
    if (i instanceof Counter c) {
      return c;
    }
    throw kindClash(name, "histogram");
  }

  /** The histogram (distribution of recorded values) {@code name}, created on first use. */
  public Histogram histogram(String name) {
    Instrument i = instruments.computeIfAbsent(checkName(name), n -> new Histogram(n, this));
    if (i instanceof Histogram h) {
      return h;
    }
    throw kindClash(name, "counter");
  }

  private static InvalidSpecException kindClash(String name, String existing) {
    return new InvalidSpecException(
        "metrics." + name,
        "is already a " + existing,
        "give instruments of different kinds different names");
  }

  /** The instrument called {@code name}, or null. */
  @Nullable Instrument instrument(String name) {
    return instruments.get(name);
  }

  private String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidSpecException(
          "metrics.name",
          "'" + name + "' is not a valid metric name",
          "use letters, digits, '_', ':' and '.', not starting with a digit");
    }
    return name;
  }

  private static Map<String, String> attributes(String... keyValues) {
    if (keyValues.length % 2 != 0) {
      throw new InvalidSpecException(
          "metrics.attributes",
          "has an odd number of strings (" + keyValues.length + ")",
          "pass key, value pairs");
    }
    Map<String, String> m = new TreeMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(
          Objects.requireNonNull(keyValues[i], "attribute key"),
          Objects.requireNonNull(keyValues[i + 1], "attribute value"));
    }
    return m;
  }

  /** Base of both instruments: the series per attribute set. */
  abstract static sealed class Instrument permits Counter, Histogram {
    private final String name;
    private final InProcessMetrics owner;
    private final Map<Map<String, String>, Series> series = new ConcurrentHashMap<>();

    Instrument(String name, InProcessMetrics owner) {
      this.name = name;
      this.owner = owner;
    }

    /** The instrument's name. */
    public String name() {
      return name;
    }

    void record(double value, Map<String, String> attributes) {
      var now = owner.clock.instant();
      series
          .computeIfAbsent(Map.copyOf(attributes), Series::new)
          .add(now, value, now.minus(owner.retention));
    }

    List<Series> series() {
      return new ArrayList<>(series.values());
    }
  }

  /**
   * A monotonic counter, like OpenTelemetry's {@code LongCounter}/{@code DoubleCounter}.
   * Thread-safe.
   */
  public static final class Counter extends Instrument {
    Counter(String name, InProcessMetrics owner) {
      super(name, owner);
    }

    /** Adds a non-negative amount for an attribute set given as key, value pairs. */
    public void add(double amount, String... attributes) {
      add(amount, InProcessMetrics.attributes(attributes));
    }

    /** Adds a non-negative amount for an attribute set. */
    public void add(double amount, Map<String, String> attributes) {
      if (!(amount >= 0) || Double.isInfinite(amount)) {
        throw new InvalidSpecException(
            "metrics." + name() + ".add",
            "amount is " + amount,
            "counters only go up: add a finite amount >= 0");
      }
      record(amount, new LinkedHashMap<>(attributes));
    }
  }

  /**
   * A histogram of recorded values (durations, sizes), like OpenTelemetry's {@code
   * DoubleHistogram}. Thread-safe.
   */
  public static final class Histogram extends Instrument {
    Histogram(String name, InProcessMetrics owner) {
      super(name, owner);
    }

    /** Records a finite value for an attribute set given as key, value pairs. */
    public void record(double value, String... attributes) {
      record(value, InProcessMetrics.attributes(attributes));
    }

    /** Records a finite value for an attribute set. */
    @Override
    public void record(double value, Map<String, String> attributes) {
      if (Double.isNaN(value) || Double.isInfinite(value)) {
        throw new InvalidSpecException(
            "metrics." + name() + ".record", "value is " + value, "record a finite value");
      }
      super.record(value, attributes);
    }
  }
}
