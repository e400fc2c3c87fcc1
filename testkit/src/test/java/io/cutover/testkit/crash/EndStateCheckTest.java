// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The crash child and the end-state check")
class EndStateCheckTest {
  static final CrashScenario SCENARIO =
      new CrashScenario(Duration.ofMillis(20), 2, Map.of("orders", List.of(false, true)));

  @TempDir Path dir;

  int runChild(ByteArrayOutputStream out) {
    return CrashChild.run(dir, SCENARIO, 4096, new PrintStream(out, true, StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName(
      "an uninterrupted child runs its scenario once; the check accepts it, and a second start does nothing")
  void cleanRun() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(runChild(out))
        .as(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(CrashChild.EXIT_DONE);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("ENDED", "SUCCEEDED", "ABORTED", "DONE");
    EndStateCheck.Result first = EndStateCheck.check(dir, SCENARIO);
    assertThat(first.problems()).isEmpty();
    assertThat(first.corrupt()).isFalse();
    int effects = EffectLog.read(dir.resolve("effects.log")).size();

    ByteArrayOutputStream again = new ByteArrayOutputStream();
    assertThat(runChild(again)).isEqualTo(CrashChild.EXIT_DONE);
    assertThat(again.toString(StandardCharsets.UTF_8)).doesNotContain("STARTED");
    assertThat(EffectLog.read(dir.resolve("effects.log"))).hasSize(effects);
    assertThat(EndStateCheck.check(dir, SCENARIO).problems()).isEmpty();
  }

  @Test
  @DisplayName(
      "the check finds traffic sent to a retired instance, and outcomes the scenario does not expect")
  void findsProblems() {
    assertThat(runChild(new ByteArrayOutputStream())).isEqualTo(CrashChild.EXIT_DONE);
    List<Effect> effects = EffectLog.read(dir.resolve("effects.log"));
    Effect retire =
        effects.stream()
            .filter(e -> e.kind() == Effect.Kind.RETIRE && !e.stopped().isEmpty())
            .findFirst()
            .orElseThrow();
    try (EffectLog log = EffectLog.open(dir.resolve("effects.log"))) {
      log.append(
          new Effect(
              log.nextIndex(),
              Effect.Kind.ROUTE,
              "intruder/s0/route",
              "orders",
              null,
              List.of(),
              List.of(),
              List.of(),
              Map.of(retire.releaseId(), 10_000),
              Map.of(retire.releaseId(), retire.stopped())));
    }
    assertThat(EndStateCheck.check(dir, SCENARIO).problems())
        .anyMatch(
            p -> p.contains("routed traffic to TERMINATED instance " + retire.stopped().get(0)))
        .anyMatch(p -> p.contains("at the end: traffic is"));

    CrashScenario allGood =
        new CrashScenario(SCENARIO.tick(), 2, Map.of("orders", List.of(false, false)));
    assertThat(EndStateCheck.check(dir, allGood).problems())
        .anyMatch(p -> p.contains("ended aborted") && p.contains("expected succeeded"));
  }
}
