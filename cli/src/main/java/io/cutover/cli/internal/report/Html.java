// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli.internal.report;

import io.cutover.api.rollout.RolloutEvent;
import java.util.List;
import java.util.Locale;

/**
 * What the demo's report and {@code cutover report} share: the document head and style, escaping,
 * table rows, and the SVG line chart of a {@link Timeline} with the rollout's start and abort
 * marked. Every string that did not come from this class goes through {@link #escape}.
 */
public final class Html {
  private static final String[] COLORS = {"#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#ff7f0e"};
  private static final int WIDTH = 900;
  private static final int HEIGHT = 220;
  private static final int PAD = 40;

  private Html() {}

  /** A value of one release at one sample; NaN where the release has none (a gap in its line). */
  public interface Series {
    /** The value of {@code releaseId} at {@code samples.get(index)}. */
    double value(List<Timeline.Sample> samples, int index, String releaseId);
  }

  /** Opens the document: doctype, head with the (escaped) title and the style, body. */
  public static void head(StringBuilder sb, String title) {
    sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
        .append(escape(title))
        .append("</title>")
        .append(
            "<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}")
        .append(
            "td,th{padding:2px 10px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}")
        .append("svg{background:#fafafa}.abort,.FAIL,.ERROR{color:#d62728}")
        .append(".INCONCLUSIVE{color:#ff7f0e}</style></head><body>\n");
  }

  /** A two-cell row, both escaped. */
  public static void row(StringBuilder sb, String key, String value) {
    sb.append("<tr><td>")
        .append(escape(key))
        .append("</td><td>")
        .append(escape(value))
        .append("</td></tr>\n");
  }

  /**
   * A line chart: one line per release of the timeline, x the sample's seconds over {@code end}, y
   * the series' value over {@code max}; dashed lines where the rollout started and where its abort
   * began (labelled {@code abortLabel}).
   */
  public static void chart(
      StringBuilder sb,
      Timeline timeline,
      List<Timeline.Sample> samples,
      double end,
      double max,
      String abortLabel,
      Series series) {
    sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(HEIGHT)
        .append("\" role=\"img\">\n");
    int plotW = WIDTH - 2 * PAD;
    int plotH = HEIGHT - 2 * PAD;
    sb.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
            PAD,
            PAD,
            plotW,
            plotH));
    for (int i = 0; i <= 4; i++) {
      double v = max * i / 4;
      double y = PAD + plotH - plotH * i / 4.0;
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%.0f</text>%n",
              PAD - 4,
              y + 3,
              v));
    }
    for (Timeline.Marker m : timeline.markers()) {
      RolloutEvent.Type t = m.event().type();
      if (t == RolloutEvent.Type.ROLLOUT_STARTED || t == RolloutEvent.Type.ABORT_STARTED) {
        double x = PAD + plotW * m.seconds() / end;
        String color = t == RolloutEvent.Type.ABORT_STARTED ? "#d62728" : "#bbb";
        sb.append(
            String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
                    + "stroke-dasharray=\"4 3\"/>%n",
                x,
                PAD,
                x,
                PAD + plotH,
                color));
        sb.append(
            String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"%s\">%s</text>%n",
                x + 2,
                PAD - 4,
                color,
                escape(t == RolloutEvent.Type.ABORT_STARTED ? abortLabel : "rollout")));
      }
    }
    int c = 0;
    for (String id : timeline.releases()) {
      String color = COLORS[c++ % COLORS.length];
      StringBuilder points = new StringBuilder();
      for (int i = 0; i < samples.size(); i++) {
        Timeline.Sample s = samples.get(i);
        double v = series.value(samples, i, id);
        if (Double.isNaN(v)) {
          flush(sb, points, color);
          continue;
        }
        double x = PAD + plotW * s.seconds() / end;
        double y = PAD + plotH - plotH * Math.min(v, max) / max;
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      flush(sb, points, color);
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"%s\">%s</text>%n",
              PAD + 10 + 120 * (c - 1),
              HEIGHT - 10,
              color,
              escape(timeline.label(id))));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">%.0f s</text>%n",
            WIDTH - PAD,
            HEIGHT - PAD + 14,
            end));
    sb.append("</svg>\n");
  }

  private static void flush(StringBuilder sb, StringBuilder points, String color) {
    if (points.length() > 0) {
      sb.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"")
          .append(color)
          .append("\" points=\"")
          .append(points.toString().trim())
          .append("\"/>\n");
      points.setLength(0);
    }
  }

  /** Escapes text for HTML element content and double-quoted attribute values. */
  public static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
