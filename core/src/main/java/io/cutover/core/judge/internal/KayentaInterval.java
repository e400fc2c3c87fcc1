// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge.internal;

/**
 * The shift estimate and confidence interval the way Kayenta's {@code kayenta-mannwhitney} computes
 * them (a port of R's {@code wilcox.test(conf.int = TRUE)} asymptotic branch): the shifts mu at
 * which the continuity-corrected, tie-corrected normal statistic of (x − mu) against y crosses 0
 * and ±z. The statistic is a non-increasing step function of mu, so instead of Brent's method we
 * bisect on the ordered doubles and return the crossing itself.
 */
public final class KayentaInterval {
  private KayentaInterval() {}

  /**
   * Estimate and interval of x − y.
   *
   * @param xs sorted experiment values
   * @param ys sorted control values
   * @return {lower, upper, estimate}
   * @throws ArithmeticException when every observation is tied (Kayenta classifies the metric
   *     ERROR)
   */
  public static double[] estimate(double[] xs, double[] ys, double confidenceLevel) {
    double zq = Normal.quantile((1 - confidenceLevel) / 2);
    double muMin = xs[0] - ys[ys.length - 1];
    double muMax = xs[xs.length - 1] - ys[0];
    return new double[] {
      root(xs, ys, -zq, muMin, muMax), root(xs, ys, zq, muMin, muMax), root(xs, ys, 0, muMin, muMax)
    };
  }

  private static double root(double[] xs, double[] ys, double q, double muMin, double muMax) {
    if (diff(xs, ys, muMin, q) <= 0) {
      return muMin;
    }
    if (diff(xs, ys, muMax, q) >= 0) {
      return muMax;
    }
    long lo = PairwiseDifferences.key(muMin);
    long hi = PairwiseDifferences.key(muMax);
    while (lo < hi) {
      long mid = (lo >> 1) + (hi >> 1) + (lo & hi & 1);
      if (diff(xs, ys, PairwiseDifferences.value(mid), q) <= 0) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return PairwiseDifferences.value(lo);
  }

  private static double diff(double[] xs, double[] ys, double mu, double q) {
    double m = xs.length;
    double n = ys.length;
    double[] rs = Ranks.rankSum(xs, mu, ys);
    double dz = rs[0] - m * (m + 1) / 2 - m * n / 2;
    double correction = Math.signum(dz) * 0.5;
    double sigma = Math.sqrt(m * n / 12 * ((m + n + 1) - rs[1] / ((m + n) * (m + n - 1))));
    if (sigma == 0) {
      throw new ArithmeticException(
          "cannot compute a confidence interval when all observations are tied");
    }
    return (dz - correction) / sigma - q;
  }
}
