// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads the committed scipy oracle vectors (see generate_mwu_vectors.py next to the data file). */
final class ScipyVectors {
  record Case(
      String name,
      double[] x,
      double[] y,
      MannWhitney.Method method,
      MannWhitney.Alternative alternative,
      boolean continuity,
      double u,
      double p) {
    @Override
    public String toString() {
      return name + " " + method + " " + alternative + (continuity ? "" : " no-cc");
    }
  }

  private ScipyVectors() {}

  static List<Case> load() {
    var in = ScipyVectors.class.getResourceAsStream("mannwhitneyu-vectors.tsv");
    Map<String, double[][]> samples = new HashMap<>();
    List<Case> out = new ArrayList<>();
    try (var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        String[] f = line.split("\t");
        if (f[0].equals("S")) {
          samples.put(f[1], new double[][] {parse(f[2]), parse(f[3])});
        } else {
          double[][] s = samples.get(f[1]);
          out.add(
              new Case(
                  f[1],
                  s[0],
                  s[1],
                  MannWhitney.Method.valueOf(f[2].toUpperCase(Locale.ROOT)),
                  MannWhitney.Alternative.valueOf(f[3].replace('-', '_').toUpperCase(Locale.ROOT)),
                  Boolean.parseBoolean(f[4]),
                  Double.parseDouble(f[5]),
                  f[6].equals("nan") ? Double.NaN : Double.parseDouble(f[6])));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static double[] parse(String csv) {
    return Arrays.stream(csv.split(",")).mapToDouble(Double::parseDouble).toArray();
  }
}
