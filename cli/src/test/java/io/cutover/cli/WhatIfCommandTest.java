// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.core.ProviderRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code cutover plan <spec> --what-if} in-process through picocli on the README's example spec:
 * the report in text and JSON, the same seed giving the same answer, and every bad option refused
 * with one line and exit code 2 before any simulation. The registry is empty: a what-if creates no
 * provider of the spec.
 */
class WhatIfCommandTest {
  private static final String SPEC = "../docs/examples/shop.yaml";

  record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Cli cli =
        new Cli(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            ProviderRegistry::create);
    int code = Main.run(cli, args);
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void printsTheReportOfTheSpecsOwnStrategyAndGates() {
    Result r =
        run(
            "plan",
            SPEC,
            "--what-if",
            "--regression",
            "+2% errors",
            "--runs",
            "300",
            "--recommend-runs",
            "40",
            "--budget",
            "20m",
            "--target-regression",
            "+5% errors");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .contains("what-if sizing for shop")
        .contains("what-if: canary, 300 runs (seed 1), regression +2% errors")
        .contains("rollout when healthy: 1m5s")
        .contains("detected (aborted): ")
        .contains("false abort with no regression: ")
        .contains("recommendation for 95.0% of +5% errors within 20m:")
        .contains("note: an http-probe is modeled as one request");
  }

  @Test
  void jsonIsTheSameAnswerForTheSameSeed() throws Exception {
    String[] args = {
      "plan",
      SPEC,
      "--what-if",
      "--runs",
      "200",
      "--recommend-runs",
      "20",
      "--seed",
      "9",
      "--budget",
      "10m",
      "--output",
      "json"
    };
    Result a = run(args);
    Result b = run(args);
    assertThat(a.code()).as(a.err()).isZero();
    assertThat(a.out()).isEqualTo(b.out());
    JsonNode n = new ObjectMapper().readTree(a.out());
    assertThat(n.get("service").asText()).isEqualTo("shop");
    assertThat(n.get("regression").asText()).isEqualTo("+1% errors");
    // Six probe requests at 1.5 % errors: 1 - 0.985^6 = 8.7 %.
    assertThat(n.get("detectionProbability").asDouble()).isBetween(0.02, 0.18);
    assertThat(n.get("healthyRolloutSeconds").asDouble()).isEqualTo(65.0);
    assertThat(n.get("recommendation").get("found").isBoolean()).isTrue();
  }

  @Test
  void badOptionsAreOneLineAndExitCode2() {
    String[][] bad = {
      {"--regression", "2x errors"},
      {"--runs", "0"},
      {"--rate", "-5"},
      {"--error-rate", "150%"},
      {"--p95", "fast"},
      {"--target", "100%"},
      {"--target-regression", "none"},
      {"--budget", "0s"},
      {"--runs", "many"},
    };
    for (String[] opt : bad) {
      Result r = run("plan", SPEC, "--what-if", opt[0], opt[1]);
      String what = String.join(" ", opt);
      assertThat(r.code()).as(what + "\n" + r.err()).isEqualTo(2);
      assertThat(r.err().lines().toList()).as(what).hasSize(1);
      assertThat(r.err()).as(what).contains(opt[0]).doesNotContain("Exception");
      assertThat(r.out()).as(what).isEmpty();
    }
    Result missing = run("plan", "no-such-file.yaml", "--what-if");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err().lines().toList()).hasSize(1);
  }
}
