// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.engine;

import io.cutover.api.Release;
import io.cutover.simulator.RolloutHarness;
import io.cutover.spi.OperationId;

/** The setup most engine tests share: a service running a stable v1, and a target v2. */
final class EngineFixture {
  static final String SVC = "checkout";

  private EngineFixture() {}

  /**
   * Stable v1 adopted with {@code replicas} instances that really run in the fake fleet, and a
   * target v2: {@code [v1, v2]}.
   */
  static Release[] v1v2(RolloutHarness h, int replicas) {
    Release v1 = h.release(SVC, "v1");
    Release v2 = h.release(SVC, "v2");
    h.cutover().adopt(v1, replicas);
    h.fleet().launch(new OperationId("setup/v1"), v1, replicas);
    return new Release[] {v1, v2};
  }

  /** The weight the router applies to {@code r} now, in basis points. */
  static int weight(RolloutHarness h, Release r) {
    return h.router().current(SVC).map(s -> s.weight(r.id())).orElse(0);
  }
}
