// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.spi.OperationId;
import org.junit.jupiter.api.Test;

class AppliedOperationsTest {
  static OperationId op(String v) {
    return new OperationId(v);
  }

  @Test
  void onlyAnOperationOvertakenByALaterOneIsStale() {
    AppliedOperations ops = new AppliedOperations();
    assertThat(ops.isStale(op("r/s1/route"))).isFalse();
    ops.applied(op("r/s1/route"));
    assertThat(ops.isStale(op("r/s1/route"))).as("repeating the latest is harmless").isFalse();
    ops.applied(op("r/s3/route"));
    assertThat(ops.isStale(op("r/s1/route"))).isTrue();
    assertThat(ops.isStale(op("r/s3/route"))).isFalse();
    ops.applied(op("r/s1/route"));
    assertThat(ops.isStale(op("r/s3/route")))
        .as("re-applied on purpose, the older id is now the latest")
        .isTrue();
  }

  @Test
  void remembersABoundedNumberOfIds() {
    AppliedOperations ops = new AppliedOperations();
    ops.applied(op("first"));
    for (int i = 0; i < AppliedOperations.CAPACITY; i++) {
      ops.applied(op("op-" + i));
    }
    assertThat(ops.isStale(op("first"))).as("forgotten after CAPACITY newer ids").isFalse();
    assertThat(ops.isStale(op("op-0"))).isTrue();
  }
}
