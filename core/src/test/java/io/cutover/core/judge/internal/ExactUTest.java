// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The exact distribution against exact integer counts (BigInteger): every lower-tail probability
 * P(U <= k) must match to 1e-12 relative, on both sides of the size where the counts stop fitting a
 * double exactly (C(m+n, m) = 2^53). Before the additive recurrence, 100 x 100 was off by 1e-5 and
 * 300 x 300 answered garbage (515 x 515: NaN).
 */
class ExactUTest {
  /** The product formula in exact integers: no rounding, so it is the oracle. */
  private static BigInteger[] exactCounts(int m, int n) {
    int small = Math.min(m, n);
    int big = Math.max(m, n);
    BigInteger[] c = new BigInteger[small * big + 1];
    java.util.Arrays.fill(c, BigInteger.ZERO);
    c[0] = BigInteger.ONE;
    int deg = 0;
    for (int i = 1; i <= small; i++) {
      int shift = big + i;
      int newDeg = deg + big;
      for (int k = newDeg; k >= shift; k--) {
        c[k] = c[k].subtract(c[k - shift]);
      }
      for (int k = i; k <= newDeg; k++) {
        c[k] = c[k].add(c[k - i]);
      }
      deg = newDeg;
    }
    return c;
  }

  @ParameterizedTest(name = "{0} x {1}")
  @CsvSource({"5, 7", "8, 340", "8, 400", "8, 1000", "28, 28", "30, 30", "100, 100", "60, 150"})
  void lowerTailsMatchExactCounts(int m, int n) {
    double[] counts = ExactU.counts(m, n);
    BigInteger[] exact = exactCounts(m, n);
    assertThat(counts).hasSize(exact.length);
    BigInteger total = BigInteger.ZERO;
    for (BigInteger v : exact) {
      total = total.add(v);
    }
    assertThat(total).isEqualTo(binomial(m + n, m));
    BigDecimal t = new BigDecimal(total);
    double totalD = 0;
    for (double v : counts) {
      totalD += v;
    }
    BigInteger cum = BigInteger.ZERO;
    double cumD = 0;
    double worst = 0;
    for (int k = 0; k <= counts.length / 2; k++) {
      cum = cum.add(exact[k]);
      cumD += counts[k];
      double p = new BigDecimal(cum).divide(t, MathContext.DECIMAL64).doubleValue();
      if (p > 1e-300) {
        worst = Math.max(worst, Math.abs(cumD / totalD - p) / p);
      }
    }
    assertThat(worst).as("worst relative error of P(U <= k)").isLessThan(1e-12);
  }

  @Test
  void switchesToTheAdditiveRecurrenceExactlyAt2To53() {
    // C(8 + 340, 8) < 2^53 < C(8 + 341, 8)
    assertThat(binomial(348, 8)).isLessThan(BigInteger.ONE.shiftLeft(53));
    assertThat(ExactU.exactInDoubles(8, 340)).isTrue();
    int n = 341;
    while (binomial(8 + n, 8).compareTo(BigInteger.ONE.shiftLeft(53)) <= 0) {
      assertThat(ExactU.exactInDoubles(8, n)).isTrue();
      n++;
    }
    assertThat(ExactU.exactInDoubles(8, n)).isFalse();
    assertThat(ExactU.exactInDoubles(n, 8)).isFalse();
    assertThat(ExactU.exactInDoubles(1_000_000, 1_000_000)).isFalse();
  }

  @Test
  void largeSamplesAreNotAffordable() {
    assertThat(ExactU.affordable(100, 100)).isTrue();
    assertThat(ExactU.affordable(300, 300)).isFalse();
    assertThat(ExactU.affordable(515, 515)).isFalse();
    // one tiny sample against a huge one: the array of counts would not fit
    assertThat(ExactU.affordable(2, 100_000_000)).isFalse();
  }

  private static BigInteger binomial(int a, int b) {
    BigInteger r = BigInteger.ONE;
    for (int i = 1; i <= b; i++) {
      r = r.multiply(BigInteger.valueOf(a - b + i)).divide(BigInteger.valueOf(i));
    }
    return r;
  }
}
