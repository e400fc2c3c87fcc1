// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge.internal;

/**
 * The exact null distribution of the Mann-Whitney U statistic without ties: the number of
 * arrangements giving each U is a coefficient of the Gaussian binomial [m+n choose m]_q.
 *
 * <p>Two ways to count, chosen for precision first. While the total C(m+n, m) fits in 2^53 every
 * count is an integer a double holds exactly, so the fast product formula prod_{i=1..m} (1 -
 * q^(n+i)) / (1 - q^i), O(m^2 n), is exact. Beyond that its subtractions cancel: against exact
 * integer counts its tail probabilities are off by 1e-13 relative at 60 x 60 and by 1e-5 at 100 x
 * 100, and by 300 x 300 they are useless. So larger samples use the recurrence c(u; i, j) = c(u -
 * j; i - 1, j) + c(u; i, j - 1), which only adds positive numbers (relative error a few ulps;
 * checked against exact counts by ExactUTest), in O(m^2 n^2 / 4). Sizes where neither is affordable
 * are refused by the callers, which fall back to (or ask for) the normal approximation.
 */
public final class ExactU {
  private ExactU() {}

  /**
   * Largest number of additions we accept (about a second); beyond it use the normal approximation.
   */
  public static final long MAX_WORK = 400_000_000L;

  /** Largest m*n: the counts are held in one array of m*n + 1 doubles. */
  public static final long MAX_STATISTIC = 10_000_000L;

  private static final long EXACT_IN_DOUBLES = 1L << 53;

  /** Whether the exact distribution is affordable (and precise) for these sizes. */
  public static boolean affordable(int m, int n) {
    long small = Math.min(m, n);
    long big = Math.max(m, n);
    if (small * big > MAX_STATISTIC) {
      return false;
    }
    if (exactInDoubles(m, n)) {
      return small * small * big <= MAX_WORK;
    }
    return (double) small * small * big * big / 4 <= MAX_WORK;
  }

  /** Whether C(m+n, m), the largest value the product formula handles, is at most 2^53. */
  static boolean exactInDoubles(int m, int n) {
    long small = Math.min(m, n);
    long big = Math.max(m, n);
    long c = 1;
    for (long i = 1; i <= small; i++) {
      // c = C(big + i, i), an integer at every step; c * (big + i) < 2^53 * 2^31 may overflow long.
      long hi = Math.multiplyHigh(c, big + i);
      long lo = c * (big + i);
      if (hi != 0 || lo < 0) {
        return false;
      }
      c = lo / i;
      if (c > EXACT_IN_DOUBLES) {
        return false;
      }
    }
    return true;
  }

  /** Counts of U = 0..m*n (as doubles: they exceed long for large samples). */
  public static double[] counts(int m, int n) {
    return exactInDoubles(m, n) ? productCounts(m, n) : additiveCounts(m, n);
  }

  private static double[] productCounts(int m, int n) {
    int small = Math.min(m, n);
    int big = Math.max(m, n);
    int max = small * big;
    double[] c = new double[max + 1];
    c[0] = 1;
    int deg = 0;
    for (int i = 1; i <= small; i++) {
      int shift = big + i;
      int newDeg = deg + big;
      // Multiply by (1 - q^shift), high degrees first so each term reads the old coefficient. Terms
      // above newDeg are not needed: the division below is exact and leaves them zero.
      for (int k = newDeg; k >= shift; k--) {
        c[k] -= c[k - shift];
      }
      // divide by (1 - q^i): running sum with stride i
      for (int k = i; k <= newDeg; k++) {
        c[k] += c[k - i];
      }
      deg = newDeg;
    }
    return c;
  }

  /**
   * The additive recurrence: rows[i] holds the counts for i values against j, grown one j at a
   * time. Adding c(.; i - 1, j) shifted by j to c(.; i, j - 1) gives c(.; i, j); rows are updated
   * with i ascending so row i - 1 already holds column j.
   */
  private static double[] additiveCounts(int m, int n) {
    int small = Math.min(m, n);
    int big = Math.max(m, n);
    double[][] rows = new double[small + 1][];
    for (int i = 0; i <= small; i++) {
      rows[i] = new double[i * big + 1];
      rows[i][0] = 1;
    }
    for (int j = 1; j <= big; j++) {
      for (int i = 1; i <= small; i++) {
        double[] row = rows[i];
        double[] below = rows[i - 1];
        int deg = (i - 1) * j;
        for (int u = 0; u <= deg; u++) {
          row[u + j] += below[u];
        }
      }
    }
    return rows[small];
  }

  /** P(U >= u) under the null hypothesis, summing whichever tail is smaller (by symmetry). */
  public static double sf(long u, int m, int n) {
    long mn = (long) m * n;
    if (u <= 0) {
      return 1;
    }
    if (u > mn) {
      return 0;
    }
    double[] c = counts(m, n);
    double total = 0;
    for (double v : c) {
      total += v;
    }
    // P(U >= u) = P(U <= mn - u) by symmetry; sum the side with fewer terms from its small end.
    long k = mn - u;
    double tail = 0;
    if (k <= mn / 2) {
      for (int i = 0; i <= k; i++) {
        tail += c[i];
      }
      return tail / total;
    }
    for (int i = 0; i < u; i++) {
      tail += c[i];
    }
    return 1 - tail / total;
  }
}
