// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli.internal.report;

import io.cutover.api.TrafficSplit;
import io.cutover.api.rollout.RolloutEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * What a rollout looked like over time: the split in effect and, per release, requests and errors
 * (5xx or no answer) since the previous sample. The demo samples it a few times a second from live
 * traffic; {@code cutover report} rebuilds it from the journal (one sample per traffic change, no
 * request counts) on a clock set to each record's time. Recording is lock-free; sampling and
 * reading are synchronized.
 */
public final class Timeline {
  /**
   * One sample.
   *
   * @param seconds seconds since the timeline began
   * @param weights percent of traffic per release id
   * @param requests requests per release id since the previous sample
   * @param errors errors per release id since the previous sample
   * @param interval the time since the previous sample
   */
  public record Sample(
      double seconds,
      Map<String, Double> weights,
      Map<String, Long> requests,
      Map<String, Long> errors,
      Duration interval) {}

  /**
   * An event placed on the timeline.
   *
   * @param seconds seconds since the timeline began
   * @param event the event
   */
  public record Marker(double seconds, RolloutEvent event) {}

  private static final String NO_ANSWER = "(no answer)";

  private final InstantSource clock;
  private final Instant start;
  private final Map<String, String> labels;
  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final Map<String, Long> lastRequests = new LinkedHashMap<>();
  private final Map<String, Long> lastErrors = new LinkedHashMap<>();
  private final List<Sample> samples = new ArrayList<>();
  private final List<Marker> markers = new ArrayList<>();
  private Instant lastSample;

  /** A timeline starting now; {@code labels} maps release ids to names such as {@code v2}. */
  public Timeline(InstantSource clock, Map<String, String> labels) {
    this.clock = clock;
    this.start = clock.instant();
    this.lastSample = start;
    // Insertion order (v1, v2, v3) decides the colours and legend order of the report.
    this.labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
  }

  /** Records one outcome: {@code release} null for a request without an answer. */
  public void record(@Nullable String release, int status) {
    String key = release == null ? NO_ANSWER : release;
    requests.computeIfAbsent(key, k -> new LongAdder()).increment();
    if (status < 0 || status >= 500) {
      errors.computeIfAbsent(key, k -> new LongAdder()).increment();
    }
  }

  /** Records an event. */
  public synchronized void event(RolloutEvent e) {
    markers.add(new Marker(seconds(e.time()), e));
  }

  /** Takes a sample with the split in effect (null if none). */
  public synchronized void sample(@Nullable TrafficSplit split) {
    Instant now = clock.instant();
    Map<String, Double> w = new LinkedHashMap<>();
    if (split != null) {
      split.weights().forEach((id, bp) -> w.put(id, bp / 100.0));
    }
    Map<String, Long> req = delta(requests, lastRequests);
    Map<String, Long> err = delta(errors, lastErrors);
    samples.add(new Sample(seconds(now), w, req, err, Duration.between(lastSample, now)));
    lastSample = now;
  }

  /** Samples so far. */
  public synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** Events so far. */
  public synchronized List<Marker> markers() {
    return List.copyOf(markers);
  }

  /** The label of a release id. */
  public String label(String releaseId) {
    return labels.getOrDefault(releaseId, releaseId);
  }

  /** The release ids in label order. */
  public List<String> releases() {
    return List.copyOf(labels.keySet());
  }

  /** The highest weight a release had, in percent. */
  public synchronized double maxWeight(String releaseId) {
    return samples.stream()
        .mapToDouble(s -> s.weights().getOrDefault(releaseId, 0.0))
        .max()
        .orElse(0);
  }

  /** Errors of a release so far. */
  public long errors(String releaseId) {
    LongAdder a = errors.get(releaseId);
    return a == null ? 0 : a.sum();
  }

  /**
   * One line for the terminal: weights, error rate per release and request rate over the last
   * second.
   */
  public synchronized String liveLine(@Nullable TrafficSplit split) {
    StringBuilder sb = new StringBuilder("weights");
    if (split == null) {
      sb.append(" (none)");
    } else {
      split
          .weights()
          .forEach(
              (id, bp) ->
                  sb.append(' ')
                      .append(label(id))
                      .append(' ')
                      .append(String.format(Locale.ROOT, "%.0f%%", bp / 100.0)));
    }
    sb.append(" | errors");
    Map<String, long[]> recent = new LinkedHashMap<>();
    double seconds = 0;
    for (int i = Math.max(0, samples.size() - 4); i < samples.size(); i++) {
      Sample s = samples.get(i);
      seconds += s.interval().toNanos() / 1e9;
      s.requests().forEach((id, n) -> recent.computeIfAbsent(id, k -> new long[2])[0] += n);
      s.errors().forEach((id, n) -> recent.computeIfAbsent(id, k -> new long[2])[1] += n);
    }
    long total = 0;
    for (Map.Entry<String, long[]> e : recent.entrySet()) {
      total += e.getValue()[0];
      if (e.getValue()[0] > 0) {
        sb.append(' ')
            .append(label(e.getKey()))
            .append(' ')
            .append(
                String.format(Locale.ROOT, "%.1f%%", 100.0 * e.getValue()[1] / e.getValue()[0]));
      }
    }
    sb.append(String.format(Locale.ROOT, " | %.0f req/s", seconds > 0 ? total / seconds : 0));
    return sb.toString();
  }

  private double seconds(Instant t) {
    return Duration.between(start, t).toMillis() / 1000.0;
  }

  private static Map<String, Long> delta(Map<String, LongAdder> now, Map<String, Long> last) {
    Map<String, Long> out = new LinkedHashMap<>();
    now.forEach(
        (id, adder) -> {
          long v = adder.sum();
          long d = v - last.getOrDefault(id, 0L);
          last.put(id, v);
          if (d > 0) {
            out.put(id, d);
          }
        });
    return out;
  }
}
