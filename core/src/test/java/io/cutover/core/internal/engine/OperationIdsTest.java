// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OperationIdsTest {
  @Test
  @DisplayName(
      "the engine's ids are deterministic per rollout, step and kind, in the format journals already hold")
  void format() {
    assertThat(OperationIds.forStep("r-7f3a", 3, "route")).hasToString("r-7f3a/s3/route");
    assertThat(OperationIds.forRollbackStep("r-7f3a", 0, "retire").value())
        .isEqualTo("r-7f3a/r0/retire");
    assertThat(OperationIds.forStep("r", 1, "launch"))
        .isEqualTo(OperationIds.forStep("r", 1, "launch"));
  }
}
