// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The real thing: child JVMs running canaries on the durable file journal are killed with SIGKILL
 * at seeded random instants and restarted until their scenarios finish. The benchmark {@code
 * ./benchmarks/run crash} runs the same campaign with 200 kill points.
 *
 * <p>Two campaigns of 8 and 7 kill points with their own seeds run concurrently with each other and
 * with the rest of this module's tests (junit-platform.properties): most of a campaign's time is a
 * child JVM starting, which leaves the second core idle, and every provider module waits for this
 * module's tests to end.
 */
@DisplayName("kill -9 of a real engine process")
@Execution(ExecutionMode.CONCURRENT)
class KillNineTest {
  @Test
  @DisplayName(
      "every rollout reaches its correct end state, with no duplicated effect and no traffic to a retired instance")
  void killAndRestart(@TempDir Path dir) {
    campaign(dir, 20_261_126, 8);
  }

  @Test
  @DisplayName("the same with another seed")
  void killAndRestartAnotherSeed(@TempDir Path dir) {
    campaign(dir, 20_261_206, 7);
  }

  private static void campaign(Path dir, long seed, int points) {
    CrashReport report =
        CrashCampaign.builder(dir)
            .seed(seed)
            .killPoints(points)
            .killsPerRun(5)
            .services(2)
            .rolloutsPerService(2)
            .build()
            .run();

    assertThat(report.points()).isEqualTo(points);
    assertThat(report.failures()).as(report.describe()).isEmpty();
    assertThat(report.correct()).isEqualTo(report.points());
    assertThat(report.duplicateEffects()).isZero();
    assertThat(report.corruptJournals()).isZero();
    assertThat(report.runs()).allSatisfy(r -> assertThat(r.starts()).isGreaterThan(r.kills()));
  }
}
