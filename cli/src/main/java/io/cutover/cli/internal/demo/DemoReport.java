// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli.internal.demo;

import static io.cutover.cli.internal.report.Html.chart;
import static io.cutover.cli.internal.report.Html.escape;
import static io.cutover.cli.internal.report.Html.head;
import static io.cutover.cli.internal.report.Html.row;

import io.cutover.api.rollout.RolloutEvent;
import io.cutover.cli.internal.report.Timeline;
import io.cutover.samples.TrafficGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Renders the demo's HTML report (on {@link io.cutover.cli.internal.report.Html}, which {@code
 * cutover report} shares): a summary, two SVG timelines (traffic weight per release, error rate per
 * release, with the rollout events marked), and the event list. Self-contained: no script, no
 * external resource.
 */
public final class DemoReport {
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
    head(sb, "Cutover demo report");
    sb.append(
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
        "gate failed",
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
    chart(sb, timeline, samples, end, Math.ceil(maxErr), "gate failed", DemoReport::errorRate);
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
}
