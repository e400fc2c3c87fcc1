// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge.internal;

import java.util.function.DoubleUnaryOperator;

/**
 * Brent's root finder (R. P. Brent, <i>Algorithms for Minimization without Derivatives</i>, 1973,
 * ch. 4; the variant of netlib's {@code zeroin} that R's {@code uniroot} uses): bisection mixed
 * with secant and inverse quadratic interpolation, stopping when the bracket is within {@code
 * 2·ε·|b| + tol/2}.
 *
 * <p>Kayenta mode needs this exact iteration, not just any root: the rank statistic it solves is a
 * step function, so every point of the step where it changes sign is "a root", and Kayenta (like R)
 * reports the point where this iteration stops. Kayenta's published expectations are those points
 * (to 1e-6), which an exact step search misses by up to the tolerance.
 */
final class BrentRoot {
  /** Kayenta's (and R's default) absolute tolerance of the root. */
  static final double KAYENTA_TOLERANCE = 1e-4;

  /** Kayenta's iteration cap; where it is reached, the last iterate is returned. */
  static final int KAYENTA_MAX_ITERATIONS = 1000;

  private static final double EPSILON = Math.ulp(1.0);

  private BrentRoot() {}

  /**
   * A root of {@code f} in [ax, bx].
   *
   * @param fa f(ax), already computed by the caller
   * @param fb f(bx), already computed by the caller
   * @return a point within the tolerance of a sign change of f (or of a zero)
   */
  static double solve(
      double ax,
      double bx,
      double fa,
      double fb,
      DoubleUnaryOperator f,
      double tolerance,
      int maxIterations) {
    if (isZero(fa)) {
      return ax;
    }
    if (isZero(fb)) {
      return bx;
    }
    // b is the best estimate, a the previous one, and c the point that keeps f(b) and f(c) of
    // opposite signs (the bracket).
    double a = ax;
    double b = bx;
    double c = ax;
    double fc = fa;
    for (int i = 0; i <= maxIterations; i++) {
      double previousStep = b - a;
      if (Math.abs(fc) < Math.abs(fb)) {
        a = b;
        b = c;
        c = a;
        fa = fb;
        fb = fc;
        fc = fa;
      }
      double tol = 2 * EPSILON * Math.abs(b) + tolerance / 2;
      double step = (c - b) / 2; // bisection
      if (Math.abs(step) <= tol || isZero(fb)) {
        return b;
      }
      if (Math.abs(previousStep) >= tol && Math.abs(fa) > Math.abs(fb)) {
        double cb = c - b;
        double p;
        double q;
        if (a == c) {
          // Only two distinct points: secant step.
          double t1 = fb / fa;
          p = cb * t1;
          q = 1 - t1;
        } else {
          // Inverse quadratic interpolation through a, b and c.
          double qa = fa / fc;
          double t1 = fb / fc;
          double t2 = fb / fa;
          p = t2 * (cb * qa * (qa - t1) - (b - a) * (t1 - 1));
          q = (qa - 1) * (t1 - 1) * (t2 - 1);
        }
        if (p > 0) {
          q = -q;
        } else {
          p = -p;
        }
        // Accept the interpolation only if it stays well inside the bracket and shrinks faster
        // than bisection would.
        if (p < 0.75 * cb * q - Math.abs(tol * q) / 2 && p < Math.abs(previousStep * q / 2)) {
          step = p / q;
        }
      }
      if (Math.abs(step) < tol) {
        step = step > 0 ? tol : -tol;
      }
      a = b;
      fa = fb;
      b += step;
      fb = f.applyAsDouble(b);
      if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
        c = a;
        fc = fa;
      }
    }
    return b;
  }

  /** Zero within one ulp of 0, as Kayenta tests it. */
  private static boolean isZero(double v) {
    return Math.abs(v) <= Double.MIN_VALUE;
  }
}
