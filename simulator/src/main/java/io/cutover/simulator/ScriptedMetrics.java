// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator;

import io.cutover.api.InvalidSpecException;
import io.cutover.spi.MetricQuery;
import io.cutover.spi.MetricResult;
import io.cutover.spi.MetricSource;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A {@link MetricSource} that answers from per-release time series written as a script:
 *
 * <pre>{@code
 * ScriptedMetrics metrics = ScriptedMetrics.create(clock);
 * metrics.series("error_rate").release(v2.id()).constant(0.001);
 * metrics.series("error_rate").release(v3.id()).constant(0.001).from(Duration.ofMinutes(3), 0.06);
 * }</pre>
 *
 * reads "error rate 0.1 % for both; for v3, from minute 3 on, 6 %". Times are offsets from an
 * origin: the clock's instant when the metrics were created, or one given explicitly.
 *
 * <p><b>Matching.</b> A query matches a series by its {@link MetricQuery#metric() metric} (exactly)
 * and a release by its {@code release} label. An instant query returns the value at {@code end}; a
 * range query one sample per {@code step} from {@code start} to {@code end}. An unknown metric or
 * release, a missing {@code release} label, or a time inside an {@link ReleaseSeries#absentBetween
 * absent} window gives no data ({@link MetricResult#noData}), never 0.
 *
 * <p><b>Noise.</b> {@link ReleaseSeries#noise(double, long)} adds seeded gaussian noise that
 * depends only on the seed and the sample's instant, so the same query always gives the same
 * answer, in any order.
 *
 * <p><b>Threading.</b> Thread-safe: scripts may change while queries run. Every query is recorded
 * ({@link #queries()}) so tests can check which windows a gate asked for.
 */
public final class ScriptedMetrics implements MetricSource {

  /**
   * Prometheus refuses range queries of more points; so do scripted ones, to catch runaway steps.
   */
  public static final int MAX_POINTS = 11_000;

  private final Instant origin;
  private final Map<String, Series> series = new LinkedHashMap<>();
  private final List<MetricQuery> queries = new ArrayList<>();

  private ScriptedMetrics(Instant origin) {
    this.origin = Objects.requireNonNull(origin, "origin");
  }

  /** Scripted metrics whose offsets count from {@code clock}'s instant now. */
  public static ScriptedMetrics create(InstantSource clock) {
    return new ScriptedMetrics(clock.instant());
  }

  /** Scripted metrics whose offsets count from {@code origin}. */
  public static ScriptedMetrics withOrigin(Instant origin) {
    return new ScriptedMetrics(origin);
  }

  /** The instant offsets count from. */
  public Instant origin() {
    return origin;
  }

  /** The series of a metric, created empty on first use. */
  public synchronized Series series(String metric) {
    if (metric == null || metric.isBlank()) {
      throw new InvalidSpecException("metric", "is blank", "name the metric, e.g. error_rate");
    }
    return series.computeIfAbsent(metric, Series::new);
  }

  /** Every query answered so far, in order. */
  public synchronized List<MetricQuery> queries() {
    return List.copyOf(queries);
  }

  @Override
  public MetricResult query(MetricQuery query) {
    Objects.requireNonNull(query, "query");
    synchronized (this) {
      queries.add(query);
      String release = query.labels().get("release");
      String what = query.metric() + "{release=" + release + "}";
      Series s = series.get(query.metric());
      if (s == null) {
        return MetricResult.noData(
            "no scripted series '" + query.metric() + "'; scripted: " + series.keySet());
      }
      if (release == null) {
        return MetricResult.noData(
            query.metric()
                + ": the query has no 'release' label; scripted releases: "
                + s.releases.keySet());
      }
      ReleaseSeries r = s.releases.get(release);
      if (r == null) {
        return MetricResult.noData(
            what + ": release not scripted; scripted releases: " + s.releases.keySet());
      }
      if (query.step() == null) {
        OptionalDouble v = r.valueAt(query.end());
        return v.isPresent()
            ? MetricResult.of(query.end(), v.getAsDouble(), what + " at " + query.end())
            : MetricResult.noData(what + " at " + query.end() + ": absent");
      }
      long points = Duration.between(query.start(), query.end()).dividedBy(query.step()) + 1;
      if (points > MAX_POINTS) {
        throw new InvalidSpecException(
            "query.step",
            query.step()
                + " over "
                + Duration.between(query.start(), query.end())
                + " gives "
                + points
                + " points, more than "
                + MAX_POINTS,
            "use a larger step or a shorter window");
      }
      List<MetricResult.Sample> samples = new ArrayList<>();
      for (Instant t = query.start(); !t.isAfter(query.end()); t = t.plus(query.step())) {
        OptionalDouble v = r.valueAt(t);
        if (v.isPresent()) {
          samples.add(new MetricResult.Sample(t, v.getAsDouble()));
        }
      }
      return new MetricResult(
          samples,
          what + " from " + query.start() + " to " + query.end() + " step " + query.step());
    }
  }

  /** All releases' scripts of one metric. Thread-safe through its {@link ScriptedMetrics}. */
  public final class Series {
    private final String metric;
    private final Map<String, ReleaseSeries> releases = new LinkedHashMap<>();

    private Series(String metric) {
      this.metric = metric;
    }

    /** The metric's name. */
    public String metric() {
      return metric;
    }

    /** The script of one release, created empty (no data at any time) on first use. */
    public ReleaseSeries release(String releaseId) {
      if (releaseId == null || releaseId.isBlank()) {
        throw new InvalidSpecException(
            "release", "is blank", "give the release id, e.g. release.id()");
      }
      synchronized (ScriptedMetrics.this) {
        return releases.computeIfAbsent(releaseId, id -> new ReleaseSeries(this, id));
      }
    }
  }

  /**
   * The script of one metric for one release: a base value, changes from given offsets on, windows
   * without data, optional noise. Every method returns this script, so a script reads as one
   * sentence.
   */
  public final class ReleaseSeries {
    private final Series series;
    private final String releaseId;
    private double base = Double.NaN;
    private final TreeMap<Long, Double> changes = new TreeMap<>();
    private final List<long[]> absent = new ArrayList<>();
    private double noiseStdDev;
    private long noiseSeed;

    private ReleaseSeries(Series series, String releaseId) {
      this.series = series;
      this.releaseId = releaseId;
    }

    /** The value at every time not covered by a later {@link #from}. */
    public ReleaseSeries constant(double value) {
      synchronized (ScriptedMetrics.this) {
        base = finite(value, "constant");
      }
      return this;
    }

    /** The value from {@code offset} after the origin on (until a later change). */
    public ReleaseSeries from(Duration offset, double value) {
      long at = nanos(offset, "from.offset");
      double v = finite(value, "from.value");
      synchronized (ScriptedMetrics.this) {
        changes.put(at, v);
      }
      return this;
    }

    /** No data from {@code from} (inclusive) to {@code to} (exclusive) after the origin. */
    public ReleaseSeries absentBetween(Duration from, Duration to) {
      long start = nanos(from, "absentBetween.from");
      long end = nanos(to, "absentBetween.to");
      if (end <= start) {
        throw new InvalidSpecException(
            "absentBetween.to",
            "(" + to + ") is not after from (" + from + ")",
            "give a window that ends after it starts");
      }
      synchronized (ScriptedMetrics.this) {
        absent.add(new long[] {start, end});
      }
      return this;
    }

    /**
     * Adds gaussian noise of standard deviation {@code stdDev}, the same for the same seed and
     * instant.
     */
    public ReleaseSeries noise(double stdDev, long seed) {
      if (!(stdDev >= 0) || Double.isInfinite(stdDev)) {
        throw new InvalidSpecException(
            "noise.stdDev", "is " + stdDev, "use a finite value of 0 or more");
      }
      synchronized (ScriptedMetrics.this) {
        noiseStdDev = stdDev;
        noiseSeed = seed;
      }
      return this;
    }

    /** The script of another release of the same metric, to chain scripts. */
    public ReleaseSeries release(String otherReleaseId) {
      return series.release(otherReleaseId);
    }

    /** The release this script is for. */
    public String releaseId() {
      return releaseId;
    }

    /** The scripted value at {@code time}, empty when there is no data. */
    public OptionalDouble valueAt(Instant time) {
      synchronized (ScriptedMetrics.this) {
        long offset = Duration.between(origin, time).toNanos();
        for (long[] w : absent) {
          if (offset >= w[0] && offset < w[1]) {
            return OptionalDouble.empty();
          }
        }
        Map.Entry<Long, Double> change = changes.floorEntry(offset);
        double v = change != null ? change.getValue() : base;
        if (Double.isNaN(v)) {
          return OptionalDouble.empty();
        }
        if (noiseStdDev > 0) {
          long epochNanos = time.getEpochSecond() * 1_000_000_000L + time.getNano();
          v +=
              noiseStdDev
                  * new SplittableRandom(noiseSeed * 0x9E3779B97F4A7C15L ^ epochNanos)
                      .nextGaussian();
        }
        return OptionalDouble.of(v);
      }
    }

    private long nanos(Duration d, String field) {
      Objects.requireNonNull(d, field);
      if (d.isNegative()) {
        throw new InvalidSpecException(
            field, "is negative (" + d + ")", "give an offset after the origin");
      }
      return d.toNanos();
    }

    private double finite(double v, String field) {
      if (!Double.isFinite(v)) {
        throw new InvalidSpecException(
            field, "is " + v, "give a finite value; script gaps with absentBetween");
      }
      return v;
    }
  }

  @Override
  public synchronized String toString() {
    return "ScriptedMetrics[origin=" + origin + ", series=" + series.keySet() + "]";
  }
}
