// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli.internal.demo;

import io.cutover.api.rollout.RolloutEvent;
import io.cutover.samples.TrafficGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Renders the demo's HTML report: a summary, two SVG timelines (traffic weight per release, error
 * rate per release, with the rollout events marked), and the event list. Self-contained: no script,
 * no external resource.
 */
public final class DemoReport {
  private static final String[] COLORS = {"#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#ff7f0e"};
  private static final int WIDTH = 900;
  private static final int HEIGHT = 220;
  private static final int PAD = 40;

  private DemoReport() {}

  /** The report as one HTML document. */
  public static String html(
      Timeline timeline,
      List<RolloutEvent> events,
      Map<String, String> labels,
      TrafficGenerator.Stats stats,
      @Nullable Duration rollback,
      String router) {
    List<Timeline.Sample> samples = timeline.samples();
    double end = samples.isEmpty() ? 1 : Math.max(1, samples.get(samples.size() - 1).seconds());
    StringBuilder sb = new StringBuilder(64 * 1024);
    sb.append(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Cutover demo report</title>")
        .append(
            "<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}")
        .append(
            "td,th{padding:2px 10px;border-bottom:1px solid #ddd;text-align:left}svg{background:#fafafa}")
        .append(".abort{color:#d62728}</style></head><body>\n")
        .append(
            "<h1>Cutover demo</h1>\n<p>Real processes of a sample service, real HTTP traffic through the ")
        .append(escape(router))
        .append(" router, a success-rate gate over the measured responses.</p>\n");
    sb.append("<h2>Summary</h2>\n<table>\n");
    stats
        .byRelease()
        .forEach(
            (id, n) ->
                row(sb, "requests served by " + labels.getOrDefault(id, id), Long.toString(n)));
    row(
        sb,
        "failed requests",
        (stats.serverErrors() + stats.failed())
            + " ("
            + stats.serverErrors()
            + " answered 5xx, "
            + stats.failed()
            + " without an answer)");
    row(
        sb,
        "time to rollback",
        rollback == null ? "n/a" : rollback.toMillis() + " ms (gate failure to 100 % stable)");
    sb.append("</table>\n");
    sb.append("<h2>Traffic weight per release (%)</h2>\n");
    chart(
        sb,
        timeline,
        samples,
        end,
        100,
        (list, i, id) -> list.get(i).weights().getOrDefault(id, Double.NaN));
    double maxErr = 5;
    for (int i = 0; i < samples.size(); i++) {
      for (String id : timeline.releases()) {
        double e = errorRate(samples, i, id);
        if (!Double.isNaN(e)) {
          maxErr = Math.max(maxErr, e);
        }
      }
    }
    sb.append("<h2>Error rate per release (%, over the last 2 s)</h2>\n");
    chart(sb, timeline, samples, end, Math.ceil(maxErr), DemoReport::errorRate);
    sb.append("<h2>Events</h2>\n<table><tr><th>t (s)</th><th>event</th><th>detail</th></tr>\n");
    for (Timeline.Marker m : timeline.markers()) {
      RolloutEvent e = m.event();
      if (e.type() == RolloutEvent.Type.STEP_COMPLETED || e.type() == RolloutEvent.Type.RESUMED) {
        continue;
      }
      String msg = e.message();
      for (Map.Entry<String, String> l : labels.entrySet()) {
        msg = msg.replace(l.getKey(), l.getValue());
      }
      boolean abort =
          e.type() == RolloutEvent.Type.ABORT_STARTED
              || e.type() == RolloutEvent.Type.ROLLOUT_ABORTED;
      sb.append("<tr")
          .append(abort ? " class=\"abort\"" : "")
          .append("><td>")
          .append(String.format(Locale.ROOT, "%.1f", m.seconds()))
          .append("</td><td>")
          .append(e.type().name().toLowerCase(Locale.ROOT))
          .append("</td><td>")
          .append(escape(msg))
          .append("</td></tr>\n");
    }
    sb.append("</table>\n<p>")
        .append(events.size())
        .append(" events in total.</p>\n</body></html>\n");
    return sb.toString();
  }

  private interface Series {
    double value(List<Timeline.Sample> samples, int index, String releaseId);
  }

  /**
   * Errors over requests of a release in the samples of the last two seconds up to {@code index}.
   */
  private static double errorRate(List<Timeline.Sample> samples, int index, String id) {
    double until = samples.get(index).seconds();
    long n = 0;
    long e = 0;
    for (int i = index; i >= 0 && samples.get(i).seconds() > until - 2; i--) {
      n += samples.get(i).requests().getOrDefault(id, 0L);
      e += samples.get(i).errors().getOrDefault(id, 0L);
    }
    return n == 0 ? Double.NaN : 100.0 * e / n;
  }

  private static void chart(
      StringBuilder sb,
      Timeline timeline,
      List<Timeline.Sample> samples,
      double end,
      double max,
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
                t == RolloutEvent.Type.ABORT_STARTED ? "gate failed" : "rollout"));
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
              PAD + 10 + 50 * (c - 1),
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

  private static void row(StringBuilder sb, String k, String v) {
    sb.append("<tr><td>")
        .append(escape(k))
        .append("</td><td>")
        .append(escape(v))
        .append("</td></tr>\n");
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
