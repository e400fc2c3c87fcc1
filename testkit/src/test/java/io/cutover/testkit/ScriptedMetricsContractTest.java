// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.cutover.api.InvalidSpecException;
import io.cutover.simulator.ScriptedMetrics;
import io.cutover.simulator.VirtualClock;
import io.cutover.spi.MetricQuery;
import io.cutover.spi.MetricResult;
import io.cutover.spi.MetricSource;
import io.cutover.testkit.contract.MetricSourceContract;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("ScriptedMetrics")
class ScriptedMetricsContractTest extends MetricSourceContract {
  private static final Instant ORIGIN = VirtualClock.DEFAULT_START;

  @Override
  protected MetricSource createSource() {
    ScriptedMetrics metrics = ScriptedMetrics.withOrigin(ORIGIN);
    metrics
        .series("http_error_ratio")
        .release("checkout-aaaaaaaaaaaa")
        .constant(0.25)
        .release("checkout-bbbbbbbbbbbb")
        .constant(0.5);
    return metrics;
  }

  @Override
  protected KnownSeries knownSeries() {
    return new KnownSeries(
        "http_error_ratio",
        Map.of("release", "checkout-aaaaaaaaaaaa", "service", "checkout"),
        0.25,
        ORIGIN.plus(Duration.ofMinutes(1)),
        ORIGIN.plus(Duration.ofMinutes(5)));
  }

  @Nested
  @DisplayName("scripts")
  class Scripts {
    private final VirtualClock clock = VirtualClock.create();
    private final ScriptedMetrics metrics = ScriptedMetrics.create(clock);
    private final Instant t0 = clock.instant();

    private MetricResult at(String release, Duration offset) {
      return metrics.query(
          MetricQuery.instant("error_rate", Map.of("release", release), t0.plus(offset)));
    }

    @Test
    @DisplayName("'error rate 0.1 %, from minute 3 on 6 %' reads as written, for one release only")
    void stepChange() {
      metrics
          .series("error_rate")
          .release("app-v3")
          .constant(0.001)
          .from(Duration.ofMinutes(3), 0.06)
          .release("app-v2")
          .constant(0.001);
      assertThat(at("app-v3", Duration.ofSeconds(179)).last()).isEqualTo(0.001);
      assertThat(at("app-v3", Duration.ofMinutes(3)).last()).isEqualTo(0.06);
      assertThat(at("app-v3", Duration.ofHours(2)).last()).isEqualTo(0.06);
      assertThat(at("app-v2", Duration.ofHours(2)).last()).isEqualTo(0.001);
      assertThat(metrics.origin()).isEqualTo(t0);
    }

    @Test
    @DisplayName("a range query gives one sample per step, skipping absent windows")
    void rangeWithGap() {
      metrics
          .series("error_rate")
          .release("app-v3")
          .constant(0.01)
          .absentBetween(Duration.ofMinutes(2), Duration.ofMinutes(4));
      MetricResult r =
          metrics.query(
              new MetricQuery(
                  "error_rate",
                  Map.of("release", "app-v3"),
                  t0,
                  t0.plus(Duration.ofMinutes(5)),
                  Duration.ofMinutes(1)));
      assertThat(r.samples())
          .extracting(s -> Duration.between(t0, s.time()).toMinutes())
          .containsExactly(0L, 1L, 4L, 5L);
      assertThat(at("app-v3", Duration.ofMinutes(3)).isNoData()).isTrue();
    }

    @Test
    @DisplayName("a release with only a later change has no data before it")
    void noDataBeforeFirstValue() {
      metrics.series("latency_p99").release("app-v3").from(Duration.ofMinutes(1), 0.2);
      MetricQuery before = MetricQuery.instant("latency_p99", Map.of("release", "app-v3"), t0);
      assertThat(metrics.query(before).isNoData()).isTrue();
    }

    @Test
    @DisplayName(
        "noise is seeded and depends only on the instant: same query, same answer, in any order")
    void deterministicNoise() {
      metrics.series("error_rate").release("app-v3").constant(0.05).noise(0.01, 42);
      double a = at("app-v3", Duration.ofMinutes(1)).last();
      double b = at("app-v3", Duration.ofMinutes(2)).last();
      assertThat(at("app-v3", Duration.ofMinutes(2)).last()).isEqualTo(b);
      assertThat(at("app-v3", Duration.ofMinutes(1)).last()).isEqualTo(a);
      assertThat(a).isNotEqualTo(b).isCloseTo(0.05, within(0.06));

      MetricResult many =
          metrics.query(
              new MetricQuery(
                  "error_rate",
                  Map.of("release", "app-v3"),
                  t0,
                  t0.plus(Duration.ofMinutes(99)),
                  Duration.ofSeconds(1)));
      double mean = java.util.Arrays.stream(many.values()).average().orElseThrow();
      assertThat(mean).isCloseTo(0.05, within(0.001));

      ScriptedMetrics other = ScriptedMetrics.create(VirtualClock.create());
      other.series("error_rate").release("app-v3").constant(0.05).noise(0.01, 7);
      MetricQuery q =
          MetricQuery.instant(
              "error_rate", Map.of("release", "app-v3"), t0.plus(Duration.ofMinutes(1)));
      assertThat(other.query(q).last()).isNotEqualTo(a);
    }

    @Test
    @DisplayName(
        "unknown metric, unknown release and a missing release label are no data, with a reason")
    void noData() {
      metrics.series("error_rate").release("app-v3").constant(0.01);
      assertThat(at("app-v9", Duration.ZERO).detail())
          .contains("release not scripted")
          .contains("app-v3");
      assertThat(
              metrics.query(MetricQuery.instant("nope", Map.of("release", "app-v3"), t0)).detail())
          .contains("no scripted series 'nope'");
      MetricResult unlabeled = metrics.query(MetricQuery.instant("error_rate", Map.of(), t0));
      assertThat(unlabeled.isNoData()).isTrue();
      assertThat(unlabeled.detail()).contains("no 'release' label");
    }

    @Test
    @DisplayName("queries are recorded in order")
    void recorded() {
      at("app-v3", Duration.ZERO);
      at("app-v2", Duration.ofMinutes(1));
      assertThat(metrics.queries())
          .extracting(q -> q.labels().get("release"))
          .containsExactly("app-v3", "app-v2");
    }

    @Test
    @DisplayName("bad scripts and runaway range queries are refused with the field and the fix")
    void badInput() {
      ScriptedMetrics.ReleaseSeries s = metrics.series("error_rate").release("app-v3");
      assertThatThrownBy(() -> s.constant(Double.NaN))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("absentBetween");
      assertThatThrownBy(() -> s.from(Duration.ofMinutes(-1), 1))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("from.offset");
      assertThatThrownBy(() -> s.absentBetween(Duration.ofMinutes(5), Duration.ofMinutes(5)))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("absentBetween.to");
      assertThatThrownBy(() -> s.noise(-1, 1)).isInstanceOf(InvalidSpecException.class);
      s.constant(1);
      assertThatThrownBy(
              () ->
                  metrics.query(
                      new MetricQuery(
                          "error_rate",
                          Map.of("release", "app-v3"),
                          t0,
                          t0.plus(Duration.ofDays(1)),
                          Duration.ofSeconds(1))))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("query.step")
          .hasMessageContaining("86401");
    }
  }
}
