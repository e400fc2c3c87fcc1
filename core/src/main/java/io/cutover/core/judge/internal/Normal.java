// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge.internal;

/**
 * The standard normal distribution with tail probabilities accurate to a few ulps relative, also
 * far in the tails (a p-value of 1e-30 is computed as precisely as one of 0.3).
 */
public final class Normal {
  private static final double SQRT2 = Math.sqrt(2);
  private static final double SQRT_PI = Math.sqrt(Math.PI);
  private static final double SQRT_2PI = Math.sqrt(2 * Math.PI);

  private Normal() {}

  /** P(Z > z). */
  public static double sf(double z) {
    if (Double.isNaN(z)) {
      return Double.NaN;
    }
    return z >= 0 ? 0.5 * erfc(z / SQRT2) : 1 - 0.5 * erfc(-z / SQRT2);
  }

  /** {@code P(Z <= z)}. */
  public static double cdf(double z) {
    return sf(-z);
  }

  /** The quantile: {@code z} with {@code P(Z <= z) = p}, for {@code 0 < p < 1}. */
  public static double quantile(double p) {
    if (!(p > 0 && p < 1)) {
      if (p == 0) {
        return Double.NEGATIVE_INFINITY;
      }
      if (p == 1) {
        return Double.POSITIVE_INFINITY;
      }
      return Double.NaN;
    }
    // Acklam's rational approximation (relative error 1.15e-9), then Halley steps on our accurate
    // cdf.
    double x;
    double pLow = 0.02425;
    if (p < pLow) {
      double q = Math.sqrt(-2 * Math.log(p));
      x =
          (((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q - 2.400758277161838e+00) * q
                                  - 2.549732539343734e+00)
                              * q
                          + 4.374664141464968e+00)
                      * q
                  + 2.938163982698783e+00)
              / ((((7.784695709041462e-03 * q + 3.224671290700398e-01) * q + 2.445134137142996e+00)
                              * q
                          + 3.754408661907416e+00)
                      * q
                  + 1);
    } else if (p <= 1 - pLow) {
      double q = p - 0.5;
      double r = q * q;
      x =
          (((((-3.969683028665376e+01 * r + 2.209460984245205e+02) * r - 2.759285104469687e+02) * r
                                  + 1.383577518672690e+02)
                              * r
                          - 3.066479806614716e+01)
                      * r
                  + 2.506628277459239e+00)
              * q
              / (((((-5.447609879822406e+01 * r + 1.615858368580409e+02) * r
                                          - 1.556989798598866e+02)
                                      * r
                                  + 6.680131188771972e+01)
                              * r
                          - 1.328068155288572e+01)
                      * r
                  + 1);
    } else {
      return -quantile(1 - p);
    }
    for (int i = 0; i < 3; i++) {
      double e = cdf(x) - p;
      double u = e * SQRT_2PI * Math.exp(x * x / 2);
      double next = x - u / (1 + x * u / 2);
      if (next == x) {
        break;
      }
      x = next;
    }
    return x;
  }

  /** The complementary error function for x >= 0. */
  static double erfc(double x) {
    if (x < 2) {
      return 1 - erf(x);
    }
    if (x > 27.3) {
      return 0; // below the smallest subnormal
    }
    // Continued fraction erfc(x) = exp(-x^2)/sqrt(pi) / (x + 1/2/(x + 1/(x + 3/2/(x + ...)))),
    // modified Lentz.
    double tiny = 1e-300;
    double f = x;
    double c = x;
    double d = 0;
    for (int k = 1; k < 5000; k++) {
      double a = k / 2.0;
      d = x + a * d;
      d = Math.abs(d) < tiny ? tiny : d;
      c = x + a / c;
      c = Math.abs(c) < tiny ? tiny : c;
      d = 1 / d;
      double delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) {
        break;
      }
    }
    return expMinusSquare(x) / SQRT_PI / f;
  }

  /** erf(x) for 0 <= x < 2 by the series with positive terms (no cancellation). */
  static double erf(double x) {
    double x2 = 2 * x * x;
    double term = x;
    double sum = x;
    for (int n = 1; n < 200; n++) {
      term *= x2 / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) {
        break;
      }
    }
    return 2 / SQRT_PI * expMinusSquare(x) * sum;
  }

  /** exp(-x*x) keeping the rounding error of x*x out of the result. */
  private static double expMinusSquare(double x) {
    double hi = x * x;
    double lo = Math.fma(x, x, -hi);
    return Math.exp(-hi) * (1 - lo);
  }
}
