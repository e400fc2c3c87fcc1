// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge.internal;

/**
 * The shift estimate and confidence interval the way Kayenta's {@code kayenta-mannwhitney} computes
 * them (R's {@code wilcox.test(conf.int = TRUE)} asymptotic branch): the shifts mu at which the
 * continuity-corrected, tie-corrected normal statistic of (x − mu) against y crosses 0 and ±z,
 * found with Brent's method at Kayenta's tolerance (1e-4) between min(x) − max(y) and max(x) −
 * min(y). The statistic is a step function of mu, so the answer is where Brent's iteration stops
 * inside the crossing step, exactly as in Kayenta (see {@link BrentRoot}).
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
    double fLower = diff(xs, ys, muMin, q);
    double fUpper = diff(xs, ys, muMax, q);
    // An interval end beyond the data's range is clamped to it (Kayenta does the same; for the
    // estimate, q = 0, the statistic is >= 0 at muMin and <= 0 at muMax, so this only catches an
    // exact zero, where Brent would return the same bound).
    if (fLower <= 0) {
      return muMin;
    }
    if (fUpper >= 0) {
      return muMax;
    }
    return BrentRoot.solve(
        muMin,
        muMax,
        fLower,
        fUpper,
        mu -> diff(xs, ys, mu, q),
        BrentRoot.KAYENTA_TOLERANCE,
        BrentRoot.KAYENTA_MAX_ITERATIONS);
  }

  /**
   * The standardized, continuity- and tie-corrected rank-sum statistic of (x − mu) against y, minus
   * {@code q}: the function whose roots are the interval ends (Kayenta's {@code wilcoxonDiff}).
   *
   * @param xs sorted experiment values
   * @param ys sorted control values
   * @throws ArithmeticException when every observation is tied
   */
  public static double statistic(double[] xs, double[] ys, double mu, double q) {
    return diff(xs, ys, mu, q);
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
