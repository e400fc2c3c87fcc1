// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.core.judge.MannWhitney.Alternative;
import io.cutover.core.judge.MannWhitney.Method;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MannWhitneyTest {
  static Stream<ScipyVectors.Case> vectors() {
    return ScipyVectors.load().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void matchesScipyWithin1e9Relative(ScipyVectors.Case c) {
    var r = MannWhitney.test(c.x(), c.y(), c.alternative(), c.method(), c.continuity());
    assertThat(r.u()).isEqualTo(c.u());
    if (Double.isNaN(c.p())) {
      // scipy answers 0/0 = NaN when every value is tied and there is no continuity correction; we
      // answer 1 (no evidence of a difference), as scipy itself does with the correction.
      assertThat(r.pValue()).isEqualTo(1.0);
      return;
    }
    double rel = Math.abs(r.pValue() - c.p()) / Math.max(c.p(), Double.MIN_NORMAL);
    assertThat(rel).as("p=%s, scipy %s", r.pValue(), c.p()).isLessThanOrEqualTo(1e-9);
    if (c.method() != Method.AUTO) {
      assertThat(r.method()).isEqualTo(c.method());
    }
  }

  @Test
  void vectorsCoverEveryMethodAndTheFarTail() {
    List<ScipyVectors.Case> all = ScipyVectors.load();
    assertThat(all)
        .extracting(ScipyVectors.Case::method)
        .contains(Method.AUTO, Method.EXACT, Method.ASYMPTOTIC);
    assertThat(all).anyMatch(c -> c.p() < 1e-60).anyMatch(c -> c.name().startsWith("ties"));
  }

  @Test
  void autoChoosesExactOnlyForSmallTieFreeSamples() {
    assertThat(
            MannWhitney.test(new double[] {1, 2, 3}, new double[] {4, 5, 6, 7, 8, 9, 10, 11, 12})
                .method())
        .isEqualTo(Method.EXACT);
    assertThat(MannWhitney.test(new double[] {1, 2, 4}, new double[] {4, 5, 6}).method())
        .isEqualTo(Method.ASYMPTOTIC);
    double[] big = new double[9];
    for (int i = 0; i < 9; i++) {
      big[i] = i;
    }
    assertThat(
            MannWhitney.test(big, new double[] {0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5})
                .method())
        .isEqualTo(Method.ASYMPTOTIC);
  }

  @Test
  void constantSamplesGiveNoEvidence() {
    var r = MannWhitney.test(new double[] {3, 3, 3}, new double[] {3, 3});
    assertThat(r.pValue()).isEqualTo(1);
    assertThat(r.u()).isEqualTo(3);
  }

  @Test
  void refusesEmptySamplesNaNAndExactWithTies() {
    assertThatThrownBy(() -> MannWhitney.test(new double[0], new double[] {1}))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("x")
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> MannWhitney.test(new double[] {1}, new double[] {2, Double.NaN}))
        .hasMessageContaining("y[1]");
    assertThatThrownBy(
            () ->
                MannWhitney.test(
                    new double[] {1, 2},
                    new double[] {2, 3},
                    Alternative.TWO_SIDED,
                    Method.EXACT,
                    true))
        .hasMessageContaining("ties");
  }

  @Test
  void exactIsRefusedWhereItCannotBeBothPreciseAndFast() {
    // 300 x 300 used to be "affordable" and answered a p-value the cancellation had ruined.
    double[] x = new double[300];
    double[] y = new double[300];
    for (int i = 0; i < 300; i++) {
      x[i] = 2 * i;
      y[i] = 2 * i + 1;
    }
    assertThatThrownBy(() -> MannWhitney.test(x, y, Alternative.TWO_SIDED, Method.EXACT, true))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("300 and 300")
        .hasMessageContaining("ASYMPTOTIC");
    assertThat(MannWhitney.test(x, y).method()).isEqualTo(Method.ASYMPTOTIC);
  }
}
