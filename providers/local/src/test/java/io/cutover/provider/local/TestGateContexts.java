package io.cutover.provider.local;

import io.cutover.api.Release;
import io.cutover.spi.GateContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Gate contexts for tests that evaluate a gate directly. */
public final class TestGateContexts {
  private TestGateContexts() {}

  /** An analysis context for {@code candidate} without a stable release. */
  public static GateContext of(Release candidate) {
    Instant now = Instant.now();
    return new GateContext("test", candidate.service(), null, candidate, now.minusSeconds(10), now, 1, List.of(),
        GateContext.ANALYSIS, Map.of());
  }
}
