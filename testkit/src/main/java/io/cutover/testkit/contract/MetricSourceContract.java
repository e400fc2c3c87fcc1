// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cutover.api.InvalidSpecException;
import io.cutover.spi.MetricQuery;
import io.cutover.spi.MetricResult;
import io.cutover.spi.MetricSource;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link MetricSource}: a known series reads back its value for instant and range
 * queries, samples come in time order inside the window, absent data is {@link MetricResult#noData}
 * (never 0), answers are repeatable and queries are safe under concurrent use.
 *
 * <p>Extend it and implement {@link #createSource()} and {@link #knownSeries()}: a series the
 * source holds with a constant value over a window (seeded by the subclass, e.g. a scripted series
 * or a gauge a real Prometheus has scraped for a while). {@link #knownSeries()} is called after
 * {@link #createSource()}. Sources that reject malformed queries override {@link #malformedQuery()}
 * to enable that test.
 */
@DisplayName("MetricSource contract")
@DisplayNameGeneration(KitDisplayNames.class)
public abstract class MetricSourceContract {

  /**
   * A series the source holds: {@code value} at every time in {@code [from, to]}.
   *
   * @param metric the metric or query, as a gate would send it
   * @param labels its labels, normally including {@code release}
   * @param value the constant value
   * @param from start of the window where the value holds
   * @param to end of that window
   */
  public record KnownSeries(
      String metric, Map<String, String> labels, double value, Instant from, Instant to) {
    /** Validates the window. */
    public KnownSeries {
      Objects.requireNonNull(metric, "metric");
      labels = Map.copyOf(labels);
      if (!to.isAfter(from)) {
        throw new IllegalArgumentException(
            "known series window must end after it starts: " + from + " .. " + to);
      }
    }
  }

  private final String run = KitSupport.runId();
  private @Nullable MetricSource source;

  /** The source under test. Called once before each test. */
  protected abstract MetricSource createSource();

  /** The series the source holds; called after {@link #createSource()}. */
  protected abstract KnownSeries knownSeries();

  /** How far a value read back may be from the known value; 1e-9 by default. */
  protected double tolerance() {
    return 1e-9;
  }

  /**
   * A query the source must reject with {@link InvalidSpecException}; null (the default) skips that
   * test.
   */
  protected @Nullable String malformedQuery() {
    return null;
  }

  @BeforeEach
  void createTheSource() {
    source = createSource();
    assertThat(source).as("createSource()").isNotNull();
  }

  /** The source under test. */
  protected final MetricSource source() {
    if (source == null) {
      throw new IllegalStateException("no source: createSource() runs before each test");
    }
    return source;
  }

  private MetricResult query(MetricQuery q) {
    MetricResult r = source().query(q);
    assertThat(r).as("result of %s", q).isNotNull();
    return r;
  }

  private MetricQuery instantOfKnown() {
    KnownSeries k = knownSeries();
    return MetricQuery.instant(k.metric(), k.labels(), k.to());
  }

  private MetricQuery rangeOfKnown() {
    KnownSeries k = knownSeries();
    return new MetricQuery(
        k.metric(), k.labels(), k.from(), k.to(), Duration.between(k.from(), k.to()).dividedBy(4));
  }

  @Nested
  @KitGroup("known series")
  class Known {
    @Test
    @DisplayName("an instant query returns the known value, stamped inside the window")
    void instant() {
      KnownSeries k = knownSeries();
      MetricResult r = query(instantOfKnown());
      assertThat(r.isNoData()).as("no data for %s: %s", k.metric(), r.detail()).isFalse();
      assertThat(r.last()).isCloseTo(k.value(), within(tolerance()));
      assertThat(r.samples().get(r.samples().size() - 1).time()).isBetween(k.from(), k.to());
    }

    @Test
    @DisplayName(
        "a range query returns samples in time order, inside the window, each the known value")
    void range() {
      KnownSeries k = knownSeries();
      MetricResult r = query(rangeOfKnown());
      assertThat(r.samples()).as("samples of %s", r.detail()).isNotEmpty();
      assertThat(r.samples())
          .extracting(MetricResult.Sample::time)
          .isSorted()
          .allSatisfy(t -> assertThat(t).isBetween(k.from(), k.to()));
      for (double v : r.values()) {
        assertThat(v).isCloseTo(k.value(), within(tolerance()));
      }
    }

    @Test
    @DisplayName("the same query twice gets the same answer")
    void repeatable() {
      MetricResult first = query(rangeOfKnown());
      MetricResult second = query(rangeOfKnown());
      assertThat(second.samples()).isEqualTo(first.samples());
    }

    @Test
    @DisplayName("every answer explains itself in a non-blank detail")
    void detail() {
      assertThat(query(instantOfKnown()).detail()).isNotBlank();
    }
  }

  @Nested
  @KitGroup("absent data")
  class Absent {
    @Test
    @DisplayName("an unknown metric is no data, never zero")
    void unknownMetric() {
      KnownSeries k = knownSeries();
      MetricResult r =
          query(MetricQuery.instant("cutover_contract_absent_" + run, k.labels(), k.to()));
      assertThat(r.isNoData()).as("result %s", r).isTrue();
      assertThat(r.detail()).isNotBlank();
    }

    @Test
    @DisplayName("a known metric for a release it has no data about is no data")
    void unknownRelease() {
      KnownSeries k = knownSeries();
      assumeTrue(k.labels().containsKey("release"), "the known series has no 'release' label");
      Map<String, String> labels = new HashMap<>(k.labels());
      labels.put("release", "never-deployed-" + run);
      MetricResult r =
          query(
              new MetricQuery(
                  k.metric(),
                  labels,
                  k.from(),
                  k.to(),
                  Duration.between(k.from(), k.to()).dividedBy(4)));
      assertThat(r.isNoData()).as("result %s", r).isTrue();
    }
  }

  @Nested
  @KitGroup("errors")
  class Errors {
    @Test
    @DisplayName(
        "a malformed query is InvalidSpecException naming it (sources that implement malformedQuery)")
    void malformed() {
      String bad = malformedQuery();
      assumeTrue(bad != null, "the source under test names no malformed query");
      String malformed = Objects.requireNonNull(bad);
      KnownSeries k = knownSeries();
      assertThatThrownBy(() -> source().query(MetricQuery.instant(malformed, k.labels(), k.to())))
          .isInstanceOf(InvalidSpecException.class);
    }
  }

  @Nested
  @KitGroup("concurrency")
  class Concurrency {
    @Test
    @DisplayName("8 threads querying at once all get the known value")
    void concurrent() throws Exception {
      KnownSeries k = knownSeries();
      MetricQuery q = instantOfKnown();
      List<Boolean> ok =
          KitSupport.concurrently(
              8,
              t -> {
                for (int i = 0; i < 10; i++) {
                  MetricResult r = source().query(q);
                  if (r.isNoData() || Math.abs(r.last() - k.value()) > tolerance()) {
                    return false;
                  }
                }
                return true;
              });
      assertThat(ok).containsOnly(true);
    }
  }
}
