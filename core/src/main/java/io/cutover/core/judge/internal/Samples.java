// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge.internal;

import java.util.Arrays;
import java.util.Random;

/**
 * Sample preparation shared by both judge modes: NaN handling, IQR outliers, seeded tie-breaking
 * noise.
 */
public final class Samples {
  private Samples() {}

  /** Drops NaN values, or replaces them with 0. */
  public static double[] handleNaN(double[] v, boolean replace) {
    if (replace) {
      double[] out = v.clone();
      for (int i = 0; i < out.length; i++) {
        if (Double.isNaN(out[i])) {
          out[i] = 0;
        }
      }
      return out;
    }
    return Arrays.stream(v).filter(x -> !Double.isNaN(x)).toArray();
  }

  /**
   * Drops values outside the fences min(p1, q1 − f·IQR) .. max(p99, q3 + f·IQR): Kayenta's IQR
   * detector with reduced sensitivity, percentiles by linear interpolation (R type 7).
   */
  public static double[] removeOutliers(double[] v, double factor) {
    if (v.length == 0) {
      return v;
    }
    double[] s = v.clone();
    Arrays.sort(s);
    double q1 = percentile(s, 25);
    double q3 = percentile(s, 75);
    double iqr = q3 - q1;
    double lower = Math.min(percentile(s, 1), q1 - factor * iqr);
    double upper = Math.max(percentile(s, 99), q3 + factor * iqr);
    return Arrays.stream(v).filter(x -> x >= lower && x <= upper).toArray();
  }

  /** The p-th percentile (0..100) of sorted values, R type 7. */
  public static double percentile(double[] sorted, double p) {
    double h = (sorted.length - 1) * p / 100;
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }

  /**
   * Adds N(0, |value|·1e-5) noise to a constant sample (Kayenta's way to break total ties), seeded.
   */
  public static double[] jitter(double[] v, Random random) {
    double sd = Math.abs(v[0]) * 1e-5;
    double[] out = v.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += random.nextGaussian() * sd;
    }
    return out;
  }

  /** Number of distinct values of a sorted array. */
  public static int distinct(double[] sorted) {
    int d = sorted.length == 0 ? 0 : 1;
    for (int i = 1; i < sorted.length; i++) {
      if (sorted[i] != sorted[i - 1]) {
        d++;
      }
    }
    return d;
  }

  /** The mean, NaN for none. */
  public static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return v.length == 0 ? Double.NaN : s / v.length;
  }
}
