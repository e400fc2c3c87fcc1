// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The real demo, end to end: real processes, real traffic, in-process router. */
class DemoCommandTest {
  @TempDir Path dir;

  @Test
  void deploysV1CanariesV2AndRollsBackV3WithAReport() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Path report = dir.resolve("report.html");
    int code =
        new CommandLine(new DemoCommand(new PrintStream(buf, true, StandardCharsets.UTF_8)))
            .execute(
                "--work-dir",
                dir.resolve("work").toString(),
                "--report",
                report.toString(),
                "--replicas",
                "1");
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(code).as(out).isZero();
    assertThat(out)
        .contains("built v3 as cutover/sample-service@sha256:")
        .contains("traffic shifted   {v1: 90.00%, v2: 10.00%}")
        .containsPattern("gate verdict +success-rate: FAIL")
        .contains("traffic shifted   {v2: 100.00%}")
        .contains("outcomes                v1 SUCCEEDED, v2 SUCCEEDED, v3 ABORTED")
        .contains("As expected: v2 is live, v3 was rolled back automatically.")
        .containsPattern("failed requests +\\d+ +\\(\\d+ answered 5xx, 0 without an answer\\)")
        .containsPattern("v3 exposure +\\d+ requests, at most 10 % of traffic");
    String html = Files.readString(report);
    assertThat(html)
        .contains("<svg")
        .contains("<polyline")
        .contains("gate failed")
        .contains("rollout_aborted")
        .doesNotContain("NaN");
    // Both charts draw lines: weights and error rates.
    assertThat(html.split("<polyline", -1).length - 1).isGreaterThanOrEqualTo(4);
    // Every instance was stopped at the end.
    try (var dirs = Files.list(dir.resolve("work").resolve("fleet").resolve("instances"))) {
      for (Path d : (Iterable<Path>) dirs::iterator) {
        assertThat(Files.readString(d.resolve("instance.json"))).contains("\"TERMINATED\"");
      }
    }
  }

  @Test
  void refusesAnUnknownRouter() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code =
        new CommandLine(new DemoCommand(new PrintStream(buf, true, StandardCharsets.UTF_8)))
            .execute("--router", "envoy");
    assertThat(code).isEqualTo(2);
    assertThat(buf.toString(StandardCharsets.UTF_8))
        .contains("--router must be 'in-process' or 'haproxy'");
  }
}
