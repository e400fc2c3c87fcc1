// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.testing;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.Release;
import io.cutover.spi.GateContext;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;

/** Releases, contexts and a settable clock for gate tests. */
public final class TestContexts {
  public static final Release STABLE = release("v1");
  public static final Release CANDIDATE = release("v2");

  private TestContexts() {}

  public static Release release(String version) {
    return Release.of("checkout", new ArtifactRef("team/checkout", Digest.sha256(version)))
        .withLabel(version);
  }

  public static GateContext analysis(Instant windowStart, Instant now) {
    return GateContext.builder()
        .rolloutId("r-1")
        .service("checkout")
        .stable(STABLE)
        .candidate(CANDIDATE)
        .windowStart(windowStart)
        .now(now)
        .build();
  }

  public static GateContext at(Instant now) {
    return analysis(now.minus(Duration.ofMinutes(5)), now);
  }

  public static GateContext hook(
      String rolloutId, String phase, Instant now, Map<String, String> params) {
    return GateContext.builder()
        .rolloutId(rolloutId)
        .service("checkout")
        .stable(STABLE)
        .candidate(CANDIDATE)
        .windowStart(now)
        .now(now)
        .phase(phase)
        .params(params)
        .build();
  }

  /** A clock tests move by hand. */
  public static final class ManualClock implements InstantSource {
    private volatile Instant now;

    public ManualClock(Instant start) {
      this.now = start;
    }

    @Override
    public Instant instant() {
      return now;
    }

    public void advance(Duration d) {
      now = now.plus(d);
    }
  }
}
