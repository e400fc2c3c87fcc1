// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class HodgesLehmannTest {
  private static double[] allDifferences(double[] x, double[] y) {
    double[] d = new double[x.length * y.length];
    int k = 0;
    for (double a : x) {
      for (double b : y) {
        d[k++] = a - b;
      }
    }
    Arrays.sort(d);
    return d;
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private final Random random = new Random(7);

  @RepeatedTest(20)
  void estimateIsTheMedianOfAllPairwiseDifferences() {
    int m = 1 + random.nextInt(60);
    int n = 1 + random.nextInt(60);
    double[] x = new double[m];
    double[] y = new double[n];
    for (int i = 0; i < m; i++) {
      x[i] = Math.round(random.nextGaussian() * 20) / 4.0; // coarse values: ties on purpose
    }
    for (int i = 0; i < n; i++) {
      y[i] = Math.round((random.nextGaussian() + 1) * 20) / 4.0;
    }
    var s = HodgesLehmann.shift(x, y, 0.9);
    double[] d = allDifferences(x, y);
    assertThat(s.estimate()).isEqualTo(median(d));
    assertThat(Arrays.binarySearch(d, s.lower())).isNotNegative();
    assertThat(Arrays.binarySearch(d, s.upper())).isNotNegative();
    assertThat(s.lower()).isLessThanOrEqualTo(s.estimate());
    assertThat(s.upper()).isGreaterThanOrEqualTo(s.estimate());
  }

  @Test
  void exactIntervalUsesTheMannWhitneyCriticalValue() {
    // m = n = 5 without ties: P(U <= 2) = 4/252 = 0.0159 <= 0.025 < P(U <= 3) = 7/252, so 3
    // differences
    // are cut from each end of the 25 for a 95 % interval (the textbook value).
    double[] x = {1.1, 2.3, 3.7, 4.2, 5.9};
    double[] y = {0.2, 0.9, 2.0, 2.8, 3.1};
    double[] d = allDifferences(x, y);
    var s = HodgesLehmann.shift(x, y, 0.95);
    assertThat(s.lower()).isEqualTo(d[3]);
    assertThat(s.upper()).isEqualTo(d[21]);
    assertThat(s.estimate()).isEqualTo(d[12]);
  }

  @Test
  void largeSamplesUseTheNormalCutAndStayFast() {
    double[] x = new double[10_000];
    double[] y = new double[10_000];
    for (int i = 0; i < x.length; i++) {
      x[i] = random.nextGaussian() + 0.5;
      y[i] = random.nextGaussian();
    }
    var s = HodgesLehmann.shift(x, y, 0.95);
    assertThat(s.estimate()).isBetween(0.4, 0.6);
    assertThat(s.upper() - s.lower()).isBetween(0.02, 0.1);
  }

  @Test
  void refusesBadInput() {
    assertThatThrownBy(
            () ->
                HodgesLehmann.shift(new double[] {1}, new double[] {Double.POSITIVE_INFINITY}, 0.9))
        .hasMessageContaining("infinite");
    assertThatThrownBy(() -> HodgesLehmann.shift(new double[] {1}, new double[] {1}, 1.0))
        .hasMessageContaining("level");
  }
}
