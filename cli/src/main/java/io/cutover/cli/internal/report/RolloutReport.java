// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli.internal.report;

import static io.cutover.cli.internal.report.Html.escape;
import static io.cutover.cli.internal.report.Html.row;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.api.ConfigRef;
import io.cutover.api.TrafficSplit;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.spi.JournalRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The HTML report of one rollout, rebuilt from its journal records alone (their payload schema is
 * docs/journal.md's): a summary (releases, outcome, exposure of the target, time to rollback), the
 * traffic weight per release over time, the traffic changes, every gate verdict, and the events.
 *
 * <p>Weights come from the plan in the CREATED record: each completed {@code route} operation
 * ({@code <rollout>/s<step>/route} forward, {@code <rollout>/r<step>/route} in the rollback) put
 * the split of that step of the plan in effect. Before the first one the stable release had all the
 * traffic (a rollout starts from the service's stable release). Request counts are not journaled,
 * so exposure is traffic share over time, not requests.
 *
 * <p>Nothing of a release's configuration but its digest is shown (configuration values, and the
 * secret references among them, are not read); an annotation whose key or value looks like a secret
 * ({@link ConfigRef#isSecretKey}, {@link ConfigRef#looksLikeSecret}) is shown as {@code
 * (redacted)}. Every string from the journal is HTML-escaped.
 */
public final class RolloutReport {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern ROUTE = Pattern.compile(".*/([sr])(\\d+)/route$");

  /**
   * A traffic change.
   *
   * @param time when the route operation completed
   * @param step the plan step (or rollback step, {@code rollback} true) that routed
   * @param rollback whether it is a rollback step
   * @param split percent per release id, in the plan's order
   * @param extra header rules and mirror of the split, as text; empty if none
   */
  record Shift(Instant time, int step, boolean rollback, Map<String, Double> split, String extra) {}

  private RolloutReport() {}

  /**
   * The report of the rollout whose records these are (in journal order).
   *
   * @throws IllegalArgumentException if there are none, or no CREATED record among them (the
   *     rollout's beginning was compacted away)
   */
  public static String html(List<JournalRecord> records) {
    if (records.isEmpty()) {
      throw new IllegalArgumentException("no journal records");
    }
    JournalRecord first = records.get(0);
    if (first.type() != JournalRecord.Type.CREATED) {
      throw new IllegalArgumentException(
          "the journal has no CREATED record of rollout "
              + first.rolloutId()
              + " (its first retained record is "
              + first.type()
              + ")");
    }
    return new Builder(records).render();
  }

  /** One pass over the records, then the document. */
  private static final class Builder {
    private final List<JournalRecord> records;
    private final JsonNode created;
    private final String rolloutId;
    private final Instant start;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final @Nullable String stable;
    private final String target;
    private final List<Shift> shifts = new ArrayList<>();
    private final Set<@Nullable String> routed = new HashSet<>();
    private final List<JournalRecord> verdicts = new ArrayList<>();
    private @Nullable JournalRecord ended;
    private @Nullable Instant abortAt;
    private @Nullable Instant firstFailure;
    private @Nullable Instant stableAgainAt;
    private final Instant[] now = new Instant[1];
    private final Timeline timeline;

    Builder(List<JournalRecord> records) {
      this.records = records;
      JournalRecord c = records.get(0);
      this.created = payload(c);
      this.rolloutId = c.rolloutId();
      this.start = c.time();
      JsonNode plan = created.path("plan");
      this.stable = text(created, "stable");
      this.target = created.path("target").asText(plan.path("target").path("id").asText("?"));
      label(plan.path("stable"));
      label(plan.path("target"));
      labels.putIfAbsent(target, target);
      if (stable != null) {
        labels.putIfAbsent(stable, stable);
      }
      now[0] = start;
      timeline = new Timeline(() -> now[0], labels);
      read(plan);
    }

    private void label(JsonNode release) {
      String id = release.path("id").asText("");
      if (!id.isEmpty()) {
        String l = release.path("label").asText("");
        labels.put(id, l.isEmpty() || l.equals(id) ? id : l + " (" + id + ")");
      }
    }

    private void read(JsonNode plan) {
      Map<String, Double> current = new LinkedHashMap<>();
      if (stable != null) {
        current.put(stable, 100.0);
      }
      timeline.sample(split(current));
      for (JournalRecord r : records) {
        now[0] = r.time();
        JsonNode p = payload(r);
        switch (r.type()) {
          case CREATED -> timeline.event(event(RolloutEvent.Type.ROLLOUT_STARTED, r, "created"));
          case VERDICT -> {
            verdicts.add(r);
            if (firstFailure == null && p.path("outcome").asText().equals("FAIL")) {
              firstFailure = r.time();
            }
          }
          case STATE -> {
            if (p.path("state").asText().equals("aborting") && abortAt == null) {
              abortAt = r.time();
              timeline.event(event(RolloutEvent.Type.ABORT_STARTED, r, p.path("reason").asText()));
            }
          }
          case DONE -> {
            Matcher m = ROUTE.matcher(r.operationId() == null ? "" : r.operationId());
            if (m.matches()) {
              boolean rollback = m.group(1).equals("r");
              int step = Integer.parseInt(m.group(2));
              JsonNode s = plan.path(rollback ? "rollback" : "steps").path(step).path("split");
              if (s.isObject()) {
                Map<String, Double> next = new LinkedHashMap<>();
                s.path("weights")
                    .fields()
                    .forEachRemaining(w -> next.put(w.getKey(), w.getValue().asInt() / 100.0));
                next.keySet().forEach(id -> labels.putIfAbsent(id, id));
                timeline.sample(split(current));
                timeline.sample(split(next));
                current = next;
                routed.add(r.operationId());
                shifts.add(new Shift(r.time(), step, rollback, next, extra(s)));
                if (rollback
                    && stableAgainAt == null
                    && stable != null
                    && next.getOrDefault(stable, 0.0) >= 100.0) {
                  stableAgainAt = r.time();
                }
              }
            }
          }
          case ENDED -> ended = r;
          default -> {}
        }
      }
      timeline.sample(split(current));
    }

    private static @Nullable TrafficSplit split(Map<String, Double> percent) {
      if (percent.isEmpty()) {
        return null;
      }
      TrafficSplit.Builder b = TrafficSplit.builder();
      percent.forEach((id, p) -> b.weight(id, (int) Math.round(p * 100)));
      return b.build();
    }

    private static String extra(JsonNode split) {
      List<String> parts = new ArrayList<>();
      for (JsonNode rule : split.path("rules")) {
        parts.add("rule " + rule.toString());
      }
      JsonNode mirror = split.path("mirror");
      if (mirror.isObject()) {
        parts.add("mirror " + mirror.toString());
      }
      return String.join("; ", parts);
    }

    private RolloutEvent event(RolloutEvent.Type type, JournalRecord r, String message) {
      return new RolloutEvent(
          type, rolloutId, r.service(), r.time(), -1, "", message, null, null, null);
    }

    String render() {
      StringBuilder sb = new StringBuilder(64 * 1024);
      Html.head(sb, "Cutover report: " + rolloutId);
      sb.append("<h1>Rollout ").append(escape(rolloutId)).append("</h1>\n");
      sb.append("<p>Rebuilt from ")
          .append(records.size())
          .append(" journal records (")
          .append(escape(records.get(0).service()))
          .append(").</p>\n");
      summary(sb);
      List<Timeline.Sample> samples = timeline.samples();
      double end = Math.max(1, samples.get(samples.size() - 1).seconds());
      sb.append("<h2>Traffic weight per release (%)</h2>\n");
      Html.chart(
          sb,
          timeline,
          samples,
          end,
          100,
          "abort",
          (list, i, id) -> list.get(i).weights().getOrDefault(id, Double.NaN));
      shifts(sb);
      verdicts(sb);
      events(sb);
      sb.append("</body></html>\n");
      return sb.toString();
    }

    private void summary(StringBuilder sb) {
      sb.append("<h2>Summary</h2>\n<table id=\"summary\">\n");
      row(sb, "rollout", rolloutId);
      row(sb, "service", records.get(0).service());
      row(sb, "strategy", created.path("strategy").asText("?"));
      JournalRecord e = ended;
      String outcome;
      if (e == null) {
        outcome = "not ended (the rollout was still open at the journal's last record)";
      } else {
        outcome = payload(e).path("outcome").asText("?");
      }
      row(sb, "outcome", outcome);
      if (e != null) {
        String reason = text(payload(e), "reason");
        if (reason != null) {
          row(sb, "reason", reason);
        }
      }
      row(sb, "target release", labels.getOrDefault(target, target));
      row(sb, "artifact", created.path("artifact").asText("?"));
      row(sb, "config digest", created.path("config").asText("?"));
      row(
          sb,
          "stable release",
          stable == null ? "none (first deployment)" : labels.getOrDefault(stable, stable));
      row(sb, "initiator", created.path("initiator").asText("api"));
      String retryOf = text(created, "retryOf");
      if (retryOf != null) {
        row(sb, "retry of", retryOf);
      }
      created
          .path("annotations")
          .fields()
          .forEachRemaining(
              a -> {
                String v = a.getValue().asText();
                boolean secret = ConfigRef.isSecretKey(a.getKey()) || ConfigRef.looksLikeSecret(v);
                row(sb, "annotation " + a.getKey(), secret ? "(redacted)" : v);
              });
      for (JsonNode v : created.path("verification")) {
        row(sb, "verification", v.asText());
      }
      row(sb, "started", start.toString());
      Instant last = e != null ? e.time() : records.get(records.size() - 1).time();
      row(sb, e != null ? "ended" : "last record", last.toString());
      row(sb, "duration", human(Duration.between(start, last)));
      exposure(sb, last);
      row(sb, "time to rollback", rollback());
      long[] counts = new long[4];
      for (JournalRecord v : verdicts) {
        switch (payload(v).path("outcome").asText()) {
          case "PASS" -> counts[0]++;
          case "FAIL" -> counts[1]++;
          case "INCONCLUSIVE" -> counts[2]++;
          default -> counts[3]++;
        }
      }
      row(
          sb,
          "verdicts",
          String.format(
              Locale.ROOT,
              "%d pass, %d fail, %d inconclusive, %d error",
              counts[0],
              counts[1],
              counts[2],
              counts[3]));
      sb.append("</table>\n");
    }

    /** The target's highest share and its share integrated over time. */
    private void exposure(StringBuilder sb, Instant last) {
      double max = 0;
      double percentSeconds = 0;
      Instant from = start;
      double share = 0;
      for (Shift s : shifts) {
        percentSeconds += share * seconds(from, s.time());
        share = s.split().getOrDefault(target, 0.0);
        from = s.time();
        max = Math.max(max, share);
      }
      percentSeconds += share * seconds(from, last);
      double total = seconds(start, last);
      row(sb, "highest traffic on the target", String.format(Locale.ROOT, "%.2f %%", max));
      row(
          sb,
          "exposure of the target",
          String.format(
              Locale.ROOT,
              "%.1f %%·min (the target's traffic share integrated over the rollout; mean %.2f %%"
                  + " over %s)",
              percentSeconds / 60,
              total > 0 ? percentSeconds / total : share,
              human(Duration.between(start, last))));
    }

    private String rollback() {
      Instant abort = abortAt;
      if (abort == null) {
        return "n/a (not aborted)";
      }
      Instant back = stableAgainAt;
      String detect =
          firstFailure != null && !firstFailure.isAfter(abort)
              ? "; first failed verdict at +" + human(Duration.between(start, firstFailure))
              : "";
      if (back == null) {
        return "the rollback never routed 100 % to the stable release (abort decided at +"
            + human(Duration.between(start, abort))
            + detect
            + ")";
      }
      return Duration.between(abort, back).toMillis()
          + " ms (abort decided at +"
          + human(Duration.between(start, abort))
          + " to 100 % on the stable release at +"
          + human(Duration.between(start, back))
          + detect
          + ")";
    }

    private void shifts(StringBuilder sb) {
      sb.append("<h2>Traffic changes</h2>\n<table id=\"traffic\">")
          .append("<tr><th>t</th><th>step</th><th>traffic</th><th>rules</th></tr>\n");
      for (Shift s : shifts) {
        StringBuilder w = new StringBuilder();
        s.split()
            .forEach(
                (id, p) ->
                    w.append(w.length() == 0 ? "" : ", ")
                        .append(labels.getOrDefault(id, id))
                        .append(' ')
                        .append(String.format(Locale.ROOT, "%.2f%%", p)));
        sb.append("<tr><td>+")
            .append(human(Duration.between(start, s.time())))
            .append("</td><td>")
            .append(s.rollback() ? "rollback " : "")
            .append(s.step())
            .append("</td><td>")
            .append(escape(w.toString()))
            .append("</td><td>")
            .append(escape(s.extra()))
            .append("</td></tr>\n");
      }
      sb.append("</table>\n");
    }

    private void verdicts(StringBuilder sb) {
      sb.append("<h2>Gate verdicts</h2>\n<table id=\"verdicts\">")
          .append(
              "<tr><th>t</th><th>step</th><th>gate</th><th>#</th><th>outcome</th><th>reasons</th></tr>\n");
      for (JournalRecord r : verdicts) {
        JsonNode p = payload(r);
        String outcome = p.path("outcome").asText("?");
        List<String> reasons = new ArrayList<>();
        p.path("reasons").forEach(x -> reasons.add(x.asText()));
        sb.append("<tr class=\"")
            .append(escape(outcome))
            .append("\"><td>+")
            .append(human(Duration.between(start, r.time())))
            .append("</td><td>")
            .append(p.path("step").asInt(-1) < 0 ? "rollback hook" : p.path("step").asInt())
            .append("</td><td>")
            .append(escape(p.path("gate").asText("?")))
            .append("</td><td>")
            .append(p.path("measurement").asInt(1))
            .append("</td><td>")
            .append(escape(outcome))
            .append(p.path("dryRun").asBoolean(false) ? " (dry run)" : "")
            .append("</td><td>")
            .append(escape(String.join("; ", reasons)))
            .append("</td></tr>\n");
      }
      sb.append("</table>\n");
    }

    private void events(StringBuilder sb) {
      sb.append("<h2>Events</h2>\n<table id=\"events\">")
          .append("<tr><th>t</th><th>record</th><th>detail</th></tr>\n");
      for (JournalRecord r : records) {
        String detail = detail(r);
        if (detail == null) {
          continue;
        }
        boolean abort =
            r.type() == JournalRecord.Type.FAILED
                || detail.startsWith("aborting")
                || (r.type() == JournalRecord.Type.ENDED && detail.startsWith("aborted"));
        sb.append("<tr")
            .append(abort ? " class=\"abort\"" : "")
            .append("><td>+")
            .append(human(Duration.between(start, r.time())))
            .append("</td><td>")
            .append(r.type().name().toLowerCase(Locale.ROOT))
            .append("</td><td>")
            .append(escape(detail))
            .append("</td></tr>\n");
      }
      sb.append("</table>\n");
    }

    /** One line per record worth reading; null for intents and effects that are not news. */
    private @Nullable String detail(JournalRecord r) {
      JsonNode p = payload(r);
      return switch (r.type()) {
        case CREATED ->
            p.path("strategy").asText("?")
                + " of "
                + labels.getOrDefault(target, target)
                + (stable == null
                    ? " (first deployment)"
                    : " from " + labels.getOrDefault(stable, stable))
                + ", "
                + p.path("steps").asInt()
                + " steps, by "
                + p.path("initiator").asText("api");
        case STATE -> {
          if (p.has("step")) {
            yield "step "
                + p.path("step").asInt()
                + " "
                + p.path("kind").asText("")
                + " "
                + p.path("status").asText("");
          }
          if (p.has("rollbackStep")) {
            yield "rollback step " + p.path("rollbackStep").asInt() + " completed";
          }
          String state = p.path("state").asText("?");
          yield state.equals("paused")
              ? "paused (" + p.path("pause").asText("MANUAL") + "): " + p.path("reason").asText("")
              : state + ": " + p.path("reason").asText("");
        }
        case COMMAND -> p.path("command").asText("?") + " by " + p.path("by").asText("?");
        case VERDICT ->
            "gate "
                + p.path("gate").asText("?")
                + " "
                + p.path("outcome").asText("?")
                + " (step "
                + p.path("step").asInt(-1)
                + ", measurement "
                + p.path("measurement").asInt(1)
                + ")";
        case DONE -> {
          if (!p.path("kind").asText().equals("route")) {
            yield p.path("kind").asText("?") + " done";
          }
          yield routed.contains(r.operationId()) ? "traffic routed" : "backends updated";
        }
        case FAILED -> p.path("kind").asText("?") + " failed: " + p.path("error").asText("");
        case ENDED ->
            p.path("outcome").asText("?")
                + (p.has("reason") ? ": " + p.path("reason").asText("") : "");
        case INTENT -> null;
      };
    }
  }

  private static JsonNode payload(JournalRecord r) {
    try {
      JsonNode n = MAPPER.readTree(r.payload());
      return n == null ? MAPPER.createObjectNode() : n;
    } catch (JsonProcessingException e) {
      return MAPPER.createObjectNode();
    }
  }

  private static @Nullable String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }

  /** {@code 1m30.250s}-style durations; milliseconds below a second. */
  static String human(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    long s = ms / 1000;
    String frac = ms % 1000 == 0 ? "" : String.format(Locale.ROOT, ".%03d", ms % 1000);
    if (s < 60) {
      return s + frac + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m" + (s % 60) + frac + "s";
    }
    return (s / 3600) + "h" + ((s / 60) % 60) + "m" + (s % 60) + frac + "s";
  }
}
