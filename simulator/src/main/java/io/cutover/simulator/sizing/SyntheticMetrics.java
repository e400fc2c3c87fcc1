// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator.sizing;

import io.cutover.api.Verdict;
import io.cutover.api.plan.Step;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import io.cutover.spi.MetricQuery;
import io.cutover.spi.MetricResult;
import io.cutover.spi.MetricSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The metric source of a what-if run: answers the gates' real queries from sampled request counts
 * of the current run's traffic. A window of a release gets {@code rate x share x seconds} requests
 * (the share from the plan's weights, integrated over the window) and a binomial number of errors;
 * a latency percentile is the sample quantile's normal approximation for that many requests.
 *
 * <p><b>What a query means</b> is read from its text (see {@link #kindOf}): a latency quantile
 * ({@code histogram_quantile}, {@code duration}, {@code latency}), an error ratio (errors — {@code
 * 5..}, {@code error}, {@code fail} — divided by something), an error rate per second (errors not
 * divided), a success ratio (a ratio without error words, e.g. the built-in success rate, which
 * selects {@code !~"5.."}), or a request rate. A query with a {@code release} label reads that
 * release; without one (a burn-rate gate's service-wide query) it reads the whole service. Any
 * other query has no data, which the gate's no-data policy decides, as it would in production.
 *
 * <p><b>Consistency.</b> Within a run, the same window of the same release and kind gets the same
 * answer (two gates reading one window agree); different, overlapping windows are drawn
 * independently. Range queries return one sample per {@code step}, each over the preceding step.
 *
 * <p><b>Threading.</b> Not thread-safe: one run at a time, driven by {@link WhatIf}.
 */
public final class SyntheticMetrics implements MetricSource {

  /** What a query measures. */
  enum Kind {
    ERROR_RATIO,
    SUCCESS_RATIO,
    ERROR_RATE,
    REQUEST_RATE,
    LATENCY_QUANTILE
  }

  private static final Pattern QUANTILE = Pattern.compile("quantile\\s*\\(\\s*([0-9.]+)");
  private static final Pattern PROM_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  private final Instant origin;
  private final Traffic traffic;
  private Regression regression = Regression.NONE;
  private final String candidateId;
  private final @Nullable String stableId;
  private SplittableRandom random = new SplittableRandom(0);
  private final List<long[]> segments = new ArrayList<>(); // {startMillis, candidate share in bp}
  private final Map<String, MetricResult> answered = new HashMap<>();
  // Queries are the gates' few templates: classify each once, not once per measurement.
  private final Map<String, @Nullable Kind> kinds = new HashMap<>();

  SyntheticMetrics(Instant origin, Traffic traffic, String candidateId, @Nullable String stableId) {
    this.origin = origin;
    this.traffic = traffic;
    this.candidateId = candidateId;
    this.stableId = stableId;
  }

  /** Starts a new run: no traffic on the candidate, nothing answered. */
  void reset(SplittableRandom random, Regression regression) {
    this.random = random;
    this.regression = regression;
    segments.clear();
    // Before the rollout the stable release had all the traffic (long look-back windows).
    segments.add(new long[] {-Step.MAX_DURATION.toMillis(), 0});
    answered.clear();
  }

  /** From {@code atMillis} on, the candidate gets {@code basisPoints} of 10,000 of the traffic. */
  void route(long atMillis, int basisPoints) {
    segments.add(new long[] {atMillis, basisPoints});
  }

  /** The candidate's share of the traffic now, in [0, 1]. */
  double candidateShare() {
    return segments.get(segments.size() - 1)[1] / 10_000.0;
  }

  /** Requests the candidate served from 0 to {@code endMillis}. */
  double candidateRequests(long endMillis) {
    return requests(true, 0, endMillis);
  }

  /** The candidate's error rate. */
  double candidateErrorRate() {
    return regression.errorRate(traffic.errorRate());
  }

  SplittableRandom random() {
    return random;
  }

  /**
   * A gate standing for an HTTP probe of the candidate: each measurement is one request, which
   * fails (FAIL) with the candidate's error rate. A latency regression does not fail it.
   */
  public HealthGate probe(String name) {
    return new HealthGate() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Verdict evaluate(GateContext context) {
        return random.nextDouble() < candidateErrorRate()
            ? Verdict.fail("what-if: probe '" + name + "' got an error")
            : Verdict.pass("what-if: probe '" + name + "' got 200");
      }
    };
  }

  @Override
  public MetricResult query(MetricQuery q) {
    Kind kind = kinds.computeIfAbsent(q.metric(), SyntheticMetrics::kindOf);
    if (kind == null) {
      return MetricResult.noData(
          "what-if: the query '"
              + q.metric()
              + "' is not modeled (not a recognizable error, success, latency or request metric)");
    }
    String release = q.labels().get("release");
    Boolean candidate =
        release == null
            ? null
            : release.equals(candidateId)
                ? Boolean.TRUE
                : release.equals(stableId) ? Boolean.FALSE : null;
    if (release != null && candidate == null) {
      return MetricResult.noData("what-if: no traffic for release " + release);
    }
    long end = millis(q.end());
    Duration step = q.step();
    String key =
        kind + "|" + release + "|" + millis(q.start()) + "|" + end + "|" + step + "|" + q.metric();
    MetricResult cached = answered.get(key);
    if (cached != null) {
      return cached;
    }
    MetricResult r;
    if (step == null) {
      long start = end - windowMillis(q);
      r = sample(kind, q.metric(), candidate, start, end, q.end());
    } else {
      long s = step.toMillis();
      List<MetricResult.Sample> samples = new ArrayList<>();
      for (long t = millis(q.start()) + s; t <= end; t += s) {
        MetricResult one = sample(kind, q.metric(), candidate, t - s, t, origin.plusMillis(t));
        if (!one.isNoData()) {
          samples.addAll(one.samples());
        }
      }
      r =
          samples.isEmpty()
              ? MetricResult.noData("what-if: no traffic")
              : new MetricResult(samples, "what-if");
    }
    answered.put(key, r);
    return r;
  }

  private MetricResult sample(
      Kind kind, String query, @Nullable Boolean candidate, long start, long end, Instant at) {
    double seconds = (end - start) / 1000.0;
    long n;
    double p;
    double shift;
    if (candidate == null) {
      // Service-wide: both releases, errors drawn separately.
      long nc = Math.round(requests(true, start, end));
      long ns = Math.round(requests(false, start, end));
      n = nc + ns;
      if (n <= 0 || seconds <= 0) {
        return MetricResult.noData("what-if: no traffic in the window");
      }
      if (kind == Kind.LATENCY_QUANTILE) {
        p = 0;
        shift = regression.latencyShiftSeconds() * nc / n;
      } else {
        long errors =
            Binomial.sample(random, nc, candidateErrorRate())
                + Binomial.sample(random, ns, traffic.errorRate());
        return MetricResult.of(at, value(kind, n, errors, seconds), "what-if");
      }
    } else {
      n = Math.round(requests(candidate, start, end));
      p = candidate ? candidateErrorRate() : traffic.errorRate();
      shift = candidate ? regression.latencyShiftSeconds() : 0;
    }
    if (n <= 0 || seconds <= 0) {
      return MetricResult.noData("what-if: no traffic in the window");
    }
    if (kind == Kind.LATENCY_QUANTILE) {
      return MetricResult.of(at, latency(quantileOf(query), n) + shift, "what-if");
    }
    long errors = Binomial.sample(random, n, p);
    return MetricResult.of(at, value(kind, n, errors, seconds), "what-if");
  }

  private static double value(Kind kind, long n, long errors, double seconds) {
    return switch (kind) {
      case ERROR_RATIO -> (double) errors / n;
      case SUCCESS_RATIO -> 1 - (double) errors / n;
      case ERROR_RATE -> errors / seconds;
      case REQUEST_RATE -> n / seconds;
      case LATENCY_QUANTILE -> throw new IllegalStateException("latency is not a count");
    };
  }

  /**
   * The sample {@code q}-quantile of {@code n} log-normal latencies: normal with the true quantile
   * as mean and {@code sqrt(q(1-q)/n) / density} as standard deviation.
   */
  private double latency(double q, long n) {
    double sigma = Traffic.LATENCY_SIGMA;
    double mu = Math.log(traffic.p95Seconds()) - 1.6448536269514722 * sigma;
    double z = Normal.inverse(q);
    double x = Math.exp(mu + sigma * z);
    double density = Math.exp(-z * z / 2) / (x * sigma * Math.sqrt(2 * Math.PI));
    double sd = Math.sqrt(q * (1 - q) / n) / density;
    return Math.max(0, x + sd * Binomial.gaussian(random));
  }

  private static double quantileOf(String query) {
    Matcher m = QUANTILE.matcher(query);
    if (m.find()) {
      try {
        double q = Double.parseDouble(m.group(1));
        if (q > 0 && q < 1) {
          return q;
        }
      } catch (NumberFormatException e) {
        // fall through: not a number we can use
      }
    }
    return 0.95;
  }

  /** Requests to a release in [start, end), from the weight segments. */
  private double requests(boolean candidate, long start, long end) {
    double sum = 0;
    for (int i = 0; i < segments.size(); i++) {
      long from = Math.max(start, segments.get(i)[0]);
      long to = Math.min(end, i + 1 < segments.size() ? segments.get(i + 1)[0] : Long.MAX_VALUE);
      if (to > from) {
        double share = segments.get(i)[1] / 10_000.0;
        sum += (to - from) / 1000.0 * (candidate ? share : 1 - share);
      }
    }
    return sum * traffic.requestsPerSecond();
  }

  private long millis(Instant t) {
    return Duration.between(origin, t).toMillis();
  }

  /** An instant query's window: its {@code window} label (a PromQL duration), else none. */
  private static long windowMillis(MetricQuery q) {
    String w = q.labels().get("window");
    if (w == null) {
      return 0;
    }
    Matcher m = PROM_DURATION.matcher(w);
    long total = 0;
    while (m.find()) {
      long v = Long.parseLong(m.group(1));
      total +=
          switch (m.group(2)) {
            case "ms" -> v;
            case "s" -> v * 1000;
            case "m" -> v * 60_000;
            default -> v * 3_600_000;
          };
    }
    return total;
  }

  /** What a query measures, from its text; null when it is not recognizable. */
  static @Nullable Kind kindOf(String query) {
    String t = query.toLowerCase(Locale.ROOT);
    if (t.contains("quantile(") || t.contains("duration") || t.contains("latency")) {
      return Kind.LATENCY_QUANTILE;
    }
    boolean ratio = t.contains("/");
    boolean errorWords =
        t.contains("=~\"5..\"")
            || t.contains("=~'5..'")
            || t.contains("error")
            || t.contains("fail");
    if (errorWords) {
      return ratio ? Kind.ERROR_RATIO : Kind.ERROR_RATE;
    }
    if (ratio) {
      return Kind.SUCCESS_RATIO;
    }
    if (t.contains("request") || t.contains("total")) {
      return Kind.REQUEST_RATE;
    }
    return null;
  }
}
