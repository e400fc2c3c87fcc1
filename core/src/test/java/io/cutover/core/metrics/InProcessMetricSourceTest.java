// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.core.testing.TestContexts.ManualClock;
import io.cutover.spi.MetricQuery;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InProcessMetricSourceTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final InProcessMetrics metrics = InProcessMetrics.create(clock, Duration.ofMinutes(30));
  private final InProcessMetricSource source = InProcessMetricSource.of(metrics);

  private double instant(String q) {
    var r = source.query(MetricQuery.instant(q, Map.of(), clock.instant()));
    return r.isNoData() ? Double.NaN : r.last();
  }

  @Test
  void sumsRatesAndRatiosOverTheRange() {
    var c = metrics.counter("req");
    c.add(5, "release", "a", "code", "200");
    clock.advance(Duration.ofMinutes(2));
    c.add(3, "release", "a", "code", "200");
    c.add(1, "release", "a", "code", "502");
    c.add(7, "release", "b", "code", "200");
    assertThat(instant("sum(req{release=\"a\"})")).isEqualTo(9);
    assertThat(instant("sum(req{release=\"a\"}[1m])")).isEqualTo(4);
    assertThat(instant("rate(req{release=\"a\"}[1m])")).isEqualTo(4 / 60.0);
    assertThat(instant("count(req{release=~\"a|b\"}[1m])")).isEqualTo(3);
    assertThat(instant("ratio(req{release=\"a\",code!~\"5..\"}[1m] / req{release=\"a\"}[1m])"))
        .isEqualTo(0.75);
    assertThat(instant("sum(req{release!=\"a\"})")).isEqualTo(7);
  }

  @Test
  void absentSeriesAndEmptyRatiosAreNoDataButAQuietCounterIsZero() {
    metrics.counter("req").add(1, "release", "a");
    clock.advance(Duration.ofMinutes(5));
    assertThat(instant("sum(missing)")).isNaN();
    assertThat(instant("sum(req{release=\"zzz\"})")).isNaN();
    assertThat(instant("sum(req{release=\"a\"}[1m])")).isZero();
    assertThat(instant("ratio(req{release=\"a\"}[1m] / req{release=\"a\"}[1m])")).isNaN();
    assertThat(instant("quantile(0.5, req{release=\"a\"}[1m])")).isNaN();
  }

  @Test
  void anErrorRatioWithoutAnyErrorSeriesIsZeroButAnUnknownNumeratorIsNoData() {
    metrics.counter("req").add(10, "release", "a", "code", "200");
    assertThat(instant("ratio(req{release=\"a\",code=~\"5..\"} / req{release=\"a\"})")).isZero();
    assertThat(instant("ratio(errs_typo{release=\"a\"} / req{release=\"a\"})")).isNaN();
    assertThat(instant("ratio(req{release=\"a\"} / req{release=\"b\"})")).isNaN();
  }

  @Test
  void quantilesInterpolateLikeNumpy() {
    var h = metrics.histogram("lat");
    for (double v : new double[] {1, 2, 3, 4, 10}) {
      h.record(v, "release", "a");
    }
    assertThat(instant("quantile(0.5, lat)")).isEqualTo(3);
    assertThat(instant("quantile(0.9, lat)"))
        .isCloseTo(7.6, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(instant("quantile(1, lat)")).isEqualTo(10);
  }

  @Test
  void rangeQueriesEvaluateAtEachStepAndSamplesReturnRawRecordings() {
    Instant start = clock.instant();
    var h = metrics.histogram("lat");
    for (int i = 0; i < 4; i++) {
      clock.advance(Duration.ofSeconds(30));
      h.record(i, "release", "a");
    }
    var q =
        new MetricQuery(
            "sum(lat{release=\"{{r}}\"})",
            Map.of("r", "a"),
            start,
            clock.instant(),
            Duration.ofMinutes(1));
    assertThat(source.query(q).values()).containsExactly(0, 1, 5);
    var samples =
        new MetricQuery(
            "samples(lat{release=\"a\"})",
            Map.of(),
            start.plusSeconds(60),
            clock.instant(),
            Duration.ofSeconds(1));
    assertThat(source.query(samples).values()).containsExactly(1, 2, 3);
  }

  @Test
  void aBareSelectorOrMetricNameReadsTheRawRecordingsLikeSamples() {
    Instant start = clock.instant();
    var h = metrics.histogram("lat");
    for (int i = 1; i <= 3; i++) {
      clock.advance(Duration.ofSeconds(10));
      h.record(i * 0.1, "release", "a");
      h.record(9, "release", "b");
    }
    var range =
        new MetricQuery(
            "lat{release=\"a\"}", Map.of(), start, clock.instant(), Duration.ofSeconds(5));
    assertThat(source.query(range).values()).containsExactly(0.1, 0.2, 0.30000000000000004);
    assertThat(instant("lat{release=\"a\"}")).isEqualTo(0.30000000000000004);
    assertThat(source.query(MetricQuery.instant("lat", Map.of(), clock.instant())).values())
        .hasSize(6);
    assertThat(instant("absent_metric")).isNaN();
    assertThatThrownBy(() -> instant("lat{release=}"))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("malformed label condition");
    assertThatThrownBy(() -> instant("lat + 1")).hasMessageContaining("neither a selector");
  }

  @Test
  void recordingsOlderThanTheRetentionAreDropped() {
    var c = metrics.counter("req");
    c.add(1, "k", "v");
    clock.advance(Duration.ofMinutes(31));
    c.add(2, "k", "v");
    assertThat(instant("sum(req)")).isEqualTo(2);
  }

  @Test
  void badInputIsRefusedWithTypedErrors() {
    assertThatThrownBy(() -> instant("avg(req)"))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("avg(req)");
    assertThatThrownBy(() -> instant("quantile(2, req)")).hasMessageContaining("outside 0..1");
    assertThatThrownBy(() -> metrics.counter("req").add(-1))
        .hasMessageContaining("counters only go up");
    assertThatThrownBy(() -> metrics.counter("x").add(1, "odd")).hasMessageContaining("odd number");
    metrics.counter("both");
    assertThatThrownBy(() -> metrics.histogram("both")).hasMessageContaining("already a counter");
  }
}
