// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge.internal;

/**
 * Rank statistics of two sorted samples computed by merging them: no combined array, no boxing, O(m
 * + n). Ties get average ranks.
 */
public final class Ranks {
  private Ranks() {}

  /**
   * The rank sum of {@code x - shift} in the combined sample with {@code y}, and the tie term
   * sum(t^3 - t) over groups of equal values.
   *
   * @param x sorted ascending, no NaN
   * @param y sorted ascending, no NaN
   * @return {rank sum of x, tie term}
   */
  public static double[] rankSum(double[] x, double shift, double[] y) {
    int m = x.length;
    int n = y.length;
    int i = 0;
    int j = 0;
    long pos = 0;
    double rx = 0;
    double ties = 0;
    while (i < m || j < n) {
      double xv = i < m ? x[i] - shift : Double.POSITIVE_INFINITY;
      double yv = j < n ? y[j] : Double.POSITIVE_INFINITY;
      double v = Math.min(xv, yv);
      long cx = 0;
      while (i < m && x[i] - shift == v) {
        cx++;
        i++;
      }
      long cy = 0;
      while (j < n && y[j] == v) {
        cy++;
        j++;
      }
      long t = cx + cy;
      if (t == 0) {
        // Only reachable with +Infinity values: rank the rest of x as a block after everything
        // else.
        t = m - i + n - j;
        cx = m - i;
        i = m;
        j = n;
      }
      rx += cx * (pos + (t + 1) / 2.0);
      if (t > 1) {
        ties += (double) t * t * t - t;
      }
      pos += t;
    }
    return new double[] {rx, ties};
  }

  /** Whether a sorted array of combined values has a tie: used to choose the exact distribution. */
  public static boolean hasTies(double[] sortedX, double[] sortedY) {
    return rankSum(sortedX, 0, sortedY)[1] > 0;
  }
}
