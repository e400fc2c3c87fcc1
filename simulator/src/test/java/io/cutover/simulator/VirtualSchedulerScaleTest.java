// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * 10 000 concurrent rollouts on one virtual scheduler: every step arms a 30 s timeout, cancels the
 * previous one and schedules the next step 1-20 s later, as the engine does; every step must run
 * exactly once and no cancelled timeout may fire. Steps per rollout default to 10 to keep the suite
 * fast; {@code -Dcutover.scale.steps=100} runs the full size.
 */
class VirtualSchedulerScaleTest {
  private static final int ROLLOUTS = 10_000;
  private static final int STEPS = Integer.getInteger("cutover.scale.steps", 10);

  @Test
  void tenThousandConcurrentRolloutsRunExactly() {
    VirtualScheduler scheduler = VirtualScheduler.create();
    long[] finished = {0};
    long[] timeoutsFired = {0};
    for (int r = 0; r < ROLLOUTS; r++) {
      SplittableRandom random = new SplittableRandom(r);
      int[] step = {0};
      ScheduledFuture<?>[] timeout = new ScheduledFuture<?>[1];
      Runnable[] self = new Runnable[1];
      self[0] =
          () -> {
            if (timeout[0] != null) {
              timeout[0].cancel(false);
            }
            if (++step[0] == STEPS) {
              finished[0]++;
              return;
            }
            timeout[0] = scheduler.schedule(() -> timeoutsFired[0]++, 30, TimeUnit.SECONDS);
            scheduler.schedule(self[0], 1 + random.nextInt(20), TimeUnit.SECONDS);
          };
      scheduler.schedule(self[0], r % 60, TimeUnit.SECONDS);
    }
    // Exactness at scale only; speed is the engine benchmark's job (./benchmarks/run engine).
    int runs = scheduler.advance(Duration.ofHours(2));

    assertThat(finished[0]).isEqualTo(ROLLOUTS);
    assertThat(runs).isEqualTo(ROLLOUTS * STEPS);
    assertThat(timeoutsFired[0]).isZero(); // every timeout was cancelled before it was due
    assertThat(scheduler.pendingTaskCount()).isZero();
    assertThat(scheduler.nextDueTime()).isEmpty();
    scheduler.assertNoTaskFailures();
  }
}
