// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge.internal;

/**
 * Order statistics of the m*n pairwise differences x_i - y_j without materializing them: a
 * bisection on the ordered bit patterns of doubles, each step counting the differences at or below
 * a value with two pointers in O(m + n). At most 64 steps; the result is exactly one of the
 * computed differences.
 */
public final class PairwiseDifferences {
  private PairwiseDifferences() {}

  /**
   * The k-th smallest difference x_i - y_j (1-based).
   *
   * @param xs sorted ascending, finite
   * @param ys sorted ascending, finite
   */
  public static double kth(double[] xs, double[] ys, long k) {
    long lo = key(xs[0] - ys[ys.length - 1]);
    long hi = key(xs[xs.length - 1] - ys[0]);
    while (lo < hi) {
      long mid = (lo >> 1) + (hi >> 1) + (lo & hi & 1);
      if (countAtMost(xs, ys, value(mid)) >= k) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return value(lo);
  }

  /** The number of pairs with x_i - y_j <= d. */
  static long countAtMost(double[] xs, double[] ys, double d) {
    int n = ys.length;
    int j = 0;
    long count = 0;
    for (double x : xs) {
      // x - y_j decreases in j; j only moves forward as x grows.
      while (j < n && x - ys[j] > d) {
        j++;
      }
      count += n - j;
    }
    return count;
  }

  /** Maps doubles to longs whose order is the doubles' order (-0.0 folded into 0.0). */
  static long key(double d) {
    long bits = Double.doubleToLongBits(d == 0 ? 0.0 : d);
    return bits >= 0 ? bits : bits ^ Long.MAX_VALUE;
  }

  /** The inverse of {@link #key}. */
  static double value(long key) {
    return Double.longBitsToDouble(key >= 0 ? key : key ^ Long.MAX_VALUE);
  }
}
