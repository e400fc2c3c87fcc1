// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge.internal;

/**
 * The exact null distribution of the Mann-Whitney U statistic without ties: the number of
 * arrangements giving each U is a coefficient of the Gaussian binomial [m+n choose m]_q, built as
 * prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i) in O(m^2 n) with m the smaller size.
 */
public final class ExactU {
  private ExactU() {}

  /**
   * Largest m*min(m,n)*max(m,n) work we accept (about a second); beyond it use the normal
   * approximation.
   */
  public static final long MAX_WORK = 400_000_000L;

  /** Whether the exact distribution is affordable for these sizes. */
  public static boolean affordable(int m, int n) {
    long small = Math.min(m, n);
    long big = Math.max(m, n);
    return small * small * big <= MAX_WORK;
  }

  /** Counts of U = 0..m*n (as doubles: they exceed long for large samples). */
  public static double[] counts(int m, int n) {
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
