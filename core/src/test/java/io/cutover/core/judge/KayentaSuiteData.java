// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Reads the inputs of Kayenta's own test suites, copied verbatim into {@code
 * kayenta-suite-data.tsv} (see its header for the Kayenta commit and files). Only data lives there;
 * each JUnit test states the expected result and tolerance of the Kayenta test it ports.
 */
final class KayentaSuiteData {
  static final String MANN_WHITNEY_SUITE = "MannWhitneySuite";
  static final String CLASSIFIER_SUITE = "ClassifierSuite";
  static final String STATISTIC_SUITE = "StatisticSuite";
  static final String DETECTOR_SUITE = "DetectorSuite";

  private static final Map<String, double[]> DATA = load();

  private KayentaSuiteData() {}

  /**
   * One array of one Kayenta test.
   *
   * @param suite one of the suite constants
   * @param test the test's name as written in the suite
   * @param array the array's name in that test, e.g. {@code experimentData}
   */
  static double[] array(String suite, String test, String array) {
    double[] v = DATA.get(suite + "\t" + test + "\t" + array);
    if (v == null) {
      throw new IllegalArgumentException("no array " + array + " in " + suite + " / " + test);
    }
    return v.clone();
  }

  private static Map<String, double[]> load() {
    var in =
        Objects.requireNonNull(
            KayentaSuiteData.class.getResourceAsStream("kayenta-suite-data.tsv"),
            "kayenta-suite-data.tsv");
    Map<String, double[]> out = new HashMap<>();
    try (var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        String[] f = line.split("\t", -1);
        double[] values =
            f[3].isEmpty()
                ? new double[0]
                : Arrays.stream(f[3].split(",")).mapToDouble(Double::parseDouble).toArray();
        out.put(f[0] + "\t" + f[1] + "\t" + f[2], values);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
