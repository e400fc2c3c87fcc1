// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local;

import io.cutover.api.Release;
import io.cutover.spi.GateContext;
import java.time.Instant;

/** Gate contexts for tests that evaluate a gate directly. */
public final class TestGateContexts {
  private TestGateContexts() {}

  /** An analysis context for {@code candidate} without a stable release. */
  public static GateContext of(Release candidate) {
    Instant now = Instant.now();
    return GateContext.builder()
        .rolloutId("test")
        .service(candidate.service())
        .candidate(candidate)
        .windowStart(now.minusSeconds(10))
        .now(now)
        .build();
  }
}
