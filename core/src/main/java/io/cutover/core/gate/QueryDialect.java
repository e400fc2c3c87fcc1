// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate;

import io.cutover.api.InvalidSpecException;
import java.util.Locale;

/**
 * The query language of a {@link io.cutover.spi.MetricSource}, so the built-in gates can write
 * their queries for it. Every template uses the {@code {{release}}} and {@code {{window}}}
 * placeholders that the gates fill from the {@link io.cutover.spi.GateContext}.
 */
public enum QueryDialect {
  /** PromQL, for {@code cutover-provider-prometheus}; counters and classic histograms. */
  PROMETHEUS,
  /** The expressions of {@link io.cutover.core.metrics.InProcessMetricSource}. */
  IN_PROCESS;

  /**
   * The share of requests of the release that did not answer 5xx, over the window (0..1).
   *
   * @param requests the request counter, e.g. {@code http_requests_total}
   * @param releaseLabel the label that carries the release id, e.g. {@code release}
   * @param statusLabel the label that carries the HTTP status code, e.g. {@code code}
   */
  public String successRate(String requests, String releaseLabel, String statusLabel) {
    String sel = releaseLabel + "=\"{{release}}\"";
    return switch (this) {
      case PROMETHEUS ->
          "sum(rate("
              + requests
              + "{"
              + sel
              + ","
              + statusLabel
              + "!~\"5..\"}[{{window}}]))"
              + " / sum(rate("
              + requests
              + "{"
              + sel
              + "}[{{window}}]))";
      case IN_PROCESS ->
          "ratio("
              + requests
              + "{"
              + sel
              + ","
              + statusLabel
              + "!~\"5..\"}[{{window}}] / "
              + requests
              + "{"
              + sel
              + "}[{{window}}])";
    };
  }

  /**
   * The 99th percentile of request durations of the release over the window.
   *
   * @param durations the duration histogram's base name, e.g. {@code http_request_duration_seconds}
   * @param releaseLabel the label that carries the release id
   */
  public String durationP99(String durations, String releaseLabel) {
    String sel = releaseLabel + "=\"{{release}}\"";
    return switch (this) {
      case PROMETHEUS ->
          "histogram_quantile(0.99, sum by (le) (rate("
              + durations
              + "_bucket{"
              + sel
              + "}[{{window}}])))";
      case IN_PROCESS -> "quantile(0.99, " + durations + "{" + sel + "}[{{window}}])";
    };
  }

  /** Parses {@code prometheus} or {@code in-process}; names {@code path} in the error. */
  public static QueryDialect parse(String text, String path) {
    String t = text.trim().toLowerCase(Locale.ROOT).replace('-', '_');
    for (QueryDialect d : values()) {
      if (d.name().toLowerCase(Locale.ROOT).equals(t)) {
        return d;
      }
    }
    throw new InvalidSpecException(path, "is '" + text + "'", "use 'prometheus' or 'in-process'");
  }
}
