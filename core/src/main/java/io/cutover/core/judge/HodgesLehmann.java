// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge;

import io.cutover.api.InvalidSpecException;
import io.cutover.core.judge.internal.ExactU;
import io.cutover.core.judge.internal.Normal;
import io.cutover.core.judge.internal.PairwiseDifferences;
import io.cutover.core.judge.internal.Ranks;

/**
 * The Hodges-Lehmann estimate of the location shift between two samples (the median of all pairwise
 * differences {@code x_i - y_j}) with its distribution-free confidence interval (order statistics
 * of the differences at the Mann-Whitney critical values: exact without ties for small samples,
 * normal with tie correction otherwise). Never materializes the m*n differences: O((m + n) log)
 * time, O(m + n) memory. Stateless and thread-safe.
 */
public final class HodgesLehmann {
  private HodgesLehmann() {}

  /**
   * An estimate with its interval.
   *
   * @param estimate the median of x_i - y_j
   * @param lower the interval's lower end
   * @param upper the interval's upper end
   * @param level the confidence level of the interval
   */
  public record Shift(double estimate, double lower, double upper, double level) {}

  /**
   * The shift of {@code x} relative to {@code y} and its confidence interval.
   *
   * @param level the confidence level, e.g. 0.95
   * @throws InvalidSpecException for empty samples, NaN or infinite values, or a level outside (0,
   *     1)
   */
  public static Shift shift(double[] x, double[] y, double level) {
    if (!(level > 0 && level < 1)) {
      throw new InvalidSpecException(
          "level", "is " + level, "use a confidence level strictly between 0 and 1, e.g. 0.95");
    }
    double[] xs = finiteSorted(x, "x");
    double[] ys = finiteSorted(y, "y");
    return shiftSorted(xs, ys, level);
  }

  static Shift shiftSorted(double[] xs, double[] ys, double level) {
    int m = xs.length;
    int n = ys.length;
    long mn = (long) m * n;
    double estimate =
        mn % 2 == 1
            ? PairwiseDifferences.kth(xs, ys, (mn + 1) / 2)
            : (PairwiseDifferences.kth(xs, ys, mn / 2)
                    + PairwiseDifferences.kth(xs, ys, mn / 2 + 1))
                / 2;
    long c = cut(xs, ys, 1 - level);
    return new Shift(
        estimate,
        PairwiseDifferences.kth(xs, ys, c + 1),
        PairwiseDifferences.kth(xs, ys, mn - c),
        level);
  }

  /** How many differences are cut from each end: the largest c with P(U <= c) <= alpha/2. */
  private static long cut(double[] xs, double[] ys, double alpha) {
    int m = xs.length;
    int n = ys.length;
    long mn = (long) m * n;
    double[] rs = Ranks.rankSum(xs, 0, ys);
    double ties = rs[1];
    if (ties == 0 && mn <= 10_000 && ExactU.affordable(m, n)) {
      double[] counts = ExactU.counts(m, n);
      double total = 0;
      for (double v : counts) {
        total += v;
      }
      double cum = 0;
      long c = 0;
      for (int k = 0; k < counts.length; k++) {
        cum += counts[k];
        if (cum / total > alpha / 2) {
          break;
        }
        c = k + 1;
      }
      return Math.min(c, (mn - 1) / 2);
    }
    double total = (double) m + n;
    double sd = Math.sqrt(m * (double) n / 12 * ((total + 1) - ties / (total * (total - 1))));
    double c = Math.floor(mn / 2.0 - 0.5 - Normal.quantile(1 - alpha / 2) * sd);
    return (long) Math.max(0, Math.min(c, (mn - 1) / 2));
  }

  private static double[] finiteSorted(double[] v, String name) {
    double[] s = MannWhitney.sorted(v, name);
    if (Double.isInfinite(s[0]) || Double.isInfinite(s[s.length - 1])) {
      throw new InvalidSpecException(
          name, "holds an infinite value", "remove infinite values before estimating a shift");
    }
    return s;
  }
}
