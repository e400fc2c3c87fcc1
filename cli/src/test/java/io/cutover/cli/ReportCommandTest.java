// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.api.Release;
import io.cutover.api.rollout.RolloutState;
import io.cutover.core.ProviderRegistry;
import io.cutover.core.Rollout;
import io.cutover.core.journal.FileJournal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cutover report} in-process through picocli, on a real file journal written by the real
 * engine (fake fleet and router, scripted metrics, virtual time: {@link RolloutJournals}): one
 * rollout that succeeded, one a gate aborted, one aborted by hand with a hostile reason. The
 * assertions read the HTML: the sequence of weights, the verdict rows, the time to rollback (the
 * router takes 1.5 s of virtual time to apply the rollback's split), escaping, redaction.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportCommandTest {
  static final String HOSTILE_ANNOTATION = "<script>alert('annotation')</script>";
  static final String HOSTILE_REASON = "\"><img src=x onerror=alert(1)> & co";

  Path dir;
  Path journal;
  String succeeded;
  String failedGate;
  String abortedByHand;
  Release v1;
  Release v2;
  final Map<String, String> env = new HashMap<>();

  record Result(int code, String out, String err) {}

  @BeforeAll
  void writeJournal(@TempDir Path tmp) {
    dir = tmp;
    journal = dir.resolve("journal");
    try (RolloutJournals j = new RolloutJournals(journal)) {
      v1 = j.adopt();
      v2 = j.release("v2");
      Map<String, String> annotations = new LinkedHashMap<>();
      annotations.put("ticket", HOSTILE_ANNOTATION);
      annotations.put("apiToken", "tok-9f8e7d6c5b4a");
      annotations.put("db", "postgres://admin:hunter2secret@db.internal:5432/shop");
      Rollout ok = j.canary(v2, 0.001, annotations);
      assertThat(ok.status().state()).isEqualTo(RolloutState.SUCCEEDED);
      succeeded = ok.id();
      Rollout bad = j.canary(j.release("v3"), 0.05, Map.of());
      assertThat(bad.status().state()).isEqualTo(RolloutState.ABORTED);
      failedGate = bad.id();
      Rollout byHand = j.start(j.release("v4"), 0.001, Map.of());
      j.scheduler.advance(Duration.ofSeconds(45));
      j.cutover.abort(byHand.id(), HOSTILE_REASON);
      assertThat(j.finish(byHand).status().state()).isEqualTo(RolloutState.ABORTED);
      abortedByHand = byHand.id();
    }
  }

  Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Cli cli =
        new Cli(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            () -> ProviderRegistry.create().withDiscovery(),
            env::get);
    int code = Main.run(cli, args);
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  String report(String id) throws IOException {
    Path html = dir.resolve(id + "-report.html");
    Result r = run("report", id, "--journal", journal.toString(), "--out", html.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).startsWith("report: " + html + " (rollout " + id + " of checkout");
    return Files.readString(html);
  }

  /** The rows of a table, cells without tags, in document order. */
  static List<List<String>> rows(String html, String table) {
    int from = html.indexOf("<table id=\"" + table + "\">");
    assertThat(from).as("table " + table).isNotNegative();
    String body = html.substring(from, html.indexOf("</table>", from));
    List<List<String>> rows = new ArrayList<>();
    Matcher tr = Pattern.compile("<tr[^>]*>(.*?)</tr>").matcher(body);
    while (tr.find()) {
      List<String> cells = new ArrayList<>();
      Matcher td = Pattern.compile("<td>(.*?)</td>").matcher(tr.group(1));
      while (td.find()) {
        cells.add(td.group(1));
      }
      if (!cells.isEmpty()) {
        rows.add(cells);
      }
    }
    return rows;
  }

  static String summary(String html, String key) {
    return rows(html, "summary").stream()
        .filter(r -> r.get(0).equals(key))
        .map(r -> r.get(1))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no summary row " + key));
  }

  @Test
  void aSucceededCanaryShowsItsWeightsVerdictsAndExposure() throws IOException {
    String html = report(succeeded);
    String one = "v1 (" + v1.id() + ")";
    String two = "v2 (" + v2.id() + ")";
    assertThat(rows(html, "traffic").stream().map(r -> r.get(2)).toList())
        .containsExactly(
            one + " 90.00%, " + two + " 10.00%",
            one + " 75.00%, " + two + " 25.00%",
            one + " 50.00%, " + two + " 50.00%",
            two + " 100.00%");
    // The shifts at +0s, +1m30s, +3m, +4m30s of virtual time (3 measurements 30 s apart each).
    assertThat(rows(html, "traffic").stream().map(r -> r.get(0)).toList())
        .containsExactly("+0ms", "+1m30s", "+3m0s", "+4m30s");
    List<List<String>> verdicts = rows(html, "verdicts");
    assertThat(verdicts).hasSize(9).allSatisfy(v -> assertThat(v.get(4)).isEqualTo("PASS"));
    assertThat(verdicts.get(0))
        .containsExactly(
            "+30s",
            "2",
            "error-rate",
            "1",
            "PASS",
            "gate &#39;error-rate&#39;: 0.001 satisfies &lt;= 0.01 for release "
                + v2.id()
                + " (error_rate)");
    assertThat(summary(html, "outcome")).isEqualTo("succeeded");
    assertThat(summary(html, "time to rollback")).isEqualTo("n/a (not aborted)");
    assertThat(summary(html, "highest traffic on the target")).isEqualTo("100.00 %");
    // 10 % for 90 s + 25 % for 90 s + 50 % for 90 s + 100 % for the last 30 s (the drain)
    // = 15 + 37.5 + 75 + 50 = 177.5 %·min, over 5 minutes: a mean of 35.5 %.
    assertThat(summary(html, "exposure of the target"))
        .startsWith("177.5 %·min")
        .contains("mean 35.50 % over 5m0s");
    assertThat(summary(html, "initiator")).isEqualTo("alice");
    assertThat(html).contains("<polyline").contains("</svg>");
  }

  @Test
  void journalTextIsEscapedAndSecretsAreRedacted() throws IOException {
    String html = report(succeeded);
    assertThat(summary(html, "annotation ticket"))
        .isEqualTo("&lt;script&gt;alert(&#39;annotation&#39;)&lt;/script&gt;");
    assertThat(html).doesNotContain("<script");
    assertThat(summary(html, "annotation apiToken")).isEqualTo("(redacted)");
    assertThat(summary(html, "annotation db")).isEqualTo("(redacted)");
    assertThat(html).doesNotContain("tok-9f8e7d6c5b4a").doesNotContain("hunter2secret");
    // The config is shown by its digest only (LOG_LEVEL=info is in the release's config).
    assertThat(html).doesNotContain("LOG_LEVEL").contains("sha256:");

    String aborted = report(abortedByHand);
    assertThat(summary(aborted, "reason"))
        .endsWith("&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; co");
    assertThat(aborted).doesNotContain("<img").doesNotContain(HOSTILE_REASON);
  }

  @Test
  void anAbortedRolloutShowsTheFailedVerdictAndTheTimeToRollback() throws IOException {
    String html = report(failedGate);
    assertThat(summary(html, "outcome")).isEqualTo("aborted");
    assertThat(summary(html, "time to rollback"))
        .isEqualTo(
            "1500 ms (abort decided at +30s to 100 % on the stable release at +31.500s;"
                + " first failed verdict at +30s)");
    List<List<String>> verdicts = rows(html, "verdicts");
    assertThat(verdicts).hasSize(1);
    assertThat(verdicts.get(0).get(4)).isEqualTo("FAIL");
    assertThat(html).contains("<tr class=\"FAIL\">");
    List<String> traffic =
        rows(html, "traffic").stream().map(r -> r.get(1) + " " + r.get(2)).toList();
    assertThat(traffic).hasSize(2);
    assertThat(traffic.get(0)).startsWith("1 v2 (").endsWith(" 10.00%");
    assertThat(traffic.get(1)).isEqualTo("rollback 0 v2 (" + v2.id() + ") 100.00%");
    assertThat(summary(html, "highest traffic on the target")).isEqualTo("10.00 %");
    assertThat(rows(html, "events").stream().map(r -> r.get(1)).toList())
        .contains("state", "verdict", "ended")
        .doesNotContain("intent");
    assertThat(html).contains(">abort</text>");

    String byHand = report(abortedByHand);
    assertThat(summary(byHand, "time to rollback")).startsWith("1500 ms (abort decided at +45s");
    assertThat(rows(byHand, "verdicts")).hasSize(1);
  }

  @Test
  void theJournalOfAServerConfigIsReadToo() throws IOException {
    Path cfg = dir.resolve("server.yaml");
    Files.writeString(
        cfg, "token: {env: REPORT_TEST_TOKEN}\njournal: {type: file, directory: journal}\n");
    env.put("REPORT_TEST_TOKEN", "0123456789abcdef0123");
    Path html = dir.resolve("via-config.html");
    Result r = run("report", failedGate, "--config", cfg.toString(), "--out", html.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.readString(html)).contains("Rollout " + failedGate).contains("1500 ms");
  }

  @Test
  void badInputIsOneLineAndExitCode2() throws IOException {
    List<String[]> bad = new ArrayList<>();
    bad.add(new String[] {"report", "checkout-nope-1", "--journal", journal.toString()});
    bad.add(new String[] {"report", succeeded, "--journal", dir.resolve("missing").toString()});
    bad.add(
        new String[] {
          "report", succeeded, "--journal", journal.toString(), "--server", "http://127.0.0.1:1"
        });
    bad.add(new String[] {"report", "../etc/passwd", "--journal", journal.toString()});
    bad.add(
        new String[] {
          "report",
          succeeded,
          "--journal",
          journal.toString(),
          "--out",
          dir.resolve("no/such/dir/r.html").toString()
        });
    bad.add(new String[] {"report"});
    for (String[] args : bad) {
      Result r = run(args);
      String shown = String.join(" ", args);
      assertThat(r.code()).as(shown + "\n" + r.err()).isEqualTo(2);
      assertThat(r.err().lines().toList()).as(shown).hasSize(1);
      assertThat(r.err())
          .as(shown)
          .startsWith("cutover report")
          .contains("fix")
          .doesNotContain("\tat ");
      assertThat(r.out()).as(shown).isEmpty();
    }
    assertThat(run(bad.get(0)).err()).contains("no rollout 'checkout-nope-1' in the journal at ");

    // A journal a running process holds: say so, and how to read it instead.
    try (FileJournal held = FileJournal.open(journal)) {
      Result r = run("report", succeeded, "--journal", journal.toString());
      assertThat(r.code()).isEqualTo(2);
      assertThat(r.err()).contains("is in use by a running process").contains("--server");
      assertThat(held.records(succeeded)).isNotEmpty();
    }
  }
}
