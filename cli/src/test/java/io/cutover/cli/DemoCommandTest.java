// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;
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
    // A secret canary (issue 11): the demo's configuration references a secret; its value must
    // reach the instances and appear nowhere a person can see.
    String canary = "cnry-demo-" + UUID.randomUUID();
    Path secrets = Files.createDirectories(dir.resolve("secrets"));
    Files.writeString(secrets.resolve("demo-api-key"), canary + "\n");
    int code =
        new CommandLine(new DemoCommand(new PrintStream(buf, true, StandardCharsets.UTF_8)))
            .execute(
                "--work-dir",
                dir.resolve("work").toString(),
                "--report",
                report.toString(),
                "--replicas",
                "1",
                "--secrets-dir",
                secrets.toString());
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
    assertThat(out).doesNotContain(canary);
    assertThat(html).doesNotContain(canary);
    try (Stream<Path> files = Files.walk(dir.resolve("work"))) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1))
            .as("%s holds the secret", f)
            .doesNotContain(canary);
      }
    }
    // Every instance was stopped at the end.
    try (var dirs = Files.list(dir.resolve("work").resolve("fleet").resolve("instances"))) {
      for (Path d : (Iterable<Path>) dirs::iterator) {
        assertThat(Files.readString(d.resolve("instance.json"))).contains("\"TERMINATED\"");
      }
    }
  }
}
