// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SimulateCommandTest {

  private String run(String... args) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code =
        new CommandLine(new SimulateCommand(new PrintStream(buf, true, StandardCharsets.UTF_8)))
            .execute(args);
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(code).as(out).isZero();
    return out;
  }

  @Test
  void theDemoSaysItIsASimulationAndRollsTheBadReleaseBack() {
    String out = run();
    assertThat(out).startsWith("SIMULATION:").contains("(SIMULATION: nothing was deployed.)");
    assertThat(out).contains("== rollout 1: canary of v2").contains("== rollout 2: canary of v3");
    assertThat(out).containsPattern("v2: SUCCEEDED");
    assertThat(out).containsPattern("v3: ABORTED .*error-rate");
    assertThat(out).contains("v3 max exposure: 10.0% of traffic");
    assertThat(out).contains("stable release now: v2");
    assertThat(out).containsPattern("gate error-rate: FAIL error_rate=[4-6]\\.[0-9]+%");
  }

  @Test
  void aThresholdAboveTheBadErrorRateLetsV3Through() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code =
        new CommandLine(new SimulateCommand(new PrintStream(buf, true, StandardCharsets.UTF_8)))
            .execute("--max-error-rate", "0.2");
    String out = buf.toString(StandardCharsets.UTF_8);
    // the engine followed the gate: nothing failed, so v3 was promoted and the demo reports the
    // surprise
    assertThat(code).isEqualTo(1);
    assertThat(out).contains("v3: SUCCEEDED").contains("stable release now: v3");
  }

  @Test
  void mainPrintsUsageWithTheSubcommand() {
    assertThat(Main.run("--help")).isZero();
  }
}
