// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator.sizing;

import java.util.SplittableRandom;

/**
 * Binomial and normal draws from a {@link SplittableRandom}. Hand-written (about 30 lines) so the
 * simulator keeps no dependency beyond core; exact for means up to {@link #EXACT_MEAN}, a normal
 * approximation (continuity-corrected) above, where its error is far below the simulation's.
 */
final class Binomial {
  /** Up to this mean, draws are exact (inversion, then geometric waiting times). */
  static final double EXACT_MEAN = 5_000;

  private Binomial() {}

  /** A draw of the number of successes in {@code n} trials of probability {@code p}. */
  static long sample(SplittableRandom r, long n, double p) {
    if (n <= 0 || p <= 0) {
      return 0;
    }
    if (p >= 1) {
      return n;
    }
    if (p > 0.5) {
      return n - sample(r, n, 1 - p);
    }
    double mean = n * p;
    if (mean < 30) {
      // Inversion: walk the pmf from 0; q^n >= e^-60 here, so nothing underflows.
      double q = 1 - p;
      double s = p / q;
      double pk = Math.exp(n * Math.log1p(-p));
      double u = r.nextDouble();
      long k = 0;
      while (u > pk && k < n) {
        u -= pk;
        k++;
        pk *= s * (n - k + 1) / k;
      }
      return k;
    }
    if (mean <= EXACT_MEAN) {
      // Geometric waiting times between successes: exact, one logarithm per success.
      double lq = Math.log1p(-p);
      long k = 0;
      long at = 0;
      while (true) {
        at += Math.max(1, (long) Math.ceil(Math.log(1 - r.nextDouble()) / lq));
        if (at > n) {
          return k;
        }
        k++;
      }
    }
    double x = Math.rint(mean + Math.sqrt(mean * (1 - p)) * gaussian(r));
    return (long) Math.max(0, Math.min(n, x));
  }

  /** A standard normal draw (Box-Muller). */
  static double gaussian(SplittableRandom r) {
    double u = 1 - r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
  }
}
