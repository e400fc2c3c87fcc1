// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing: child JVMs running canaries on the durable file journal are killed with SIGKILL
 * at seeded random instants and restarted until their scenarios finish. About a minute; the
 * benchmark {@code ./benchmarks/run crash} runs the same campaign with 200 kill points.
 */
@DisplayName("kill -9 of a real engine process")
class KillNineTest {
  @TempDir Path dir;

  @Test
  @DisplayName(
      "every rollout reaches its correct end state, with no duplicated effect and no traffic to a retired instance")
  void killAndRestart() {
    CrashReport report =
        CrashCampaign.builder(dir)
            .seed(20_261_126)
            .killPoints(15)
            .killsPerRun(5)
            .services(2)
            .rolloutsPerService(2)
            .build()
            .run();

    assertThat(report.points()).isEqualTo(15);
    assertThat(report.failures()).as(report.describe()).isEmpty();
    assertThat(report.correct()).isEqualTo(report.points());
    assertThat(report.duplicateEffects()).isZero();
    assertThat(report.corruptJournals()).isZero();
    assertThat(report.runs()).allSatisfy(r -> assertThat(r.starts()).isGreaterThan(r.kills()));
  }
}
