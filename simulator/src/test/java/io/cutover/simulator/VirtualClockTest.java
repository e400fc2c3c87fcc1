// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class VirtualClockTest {

  @Test
  void startsAtTheDefaultInstantAndMovesOnlyWhenAdvanced() {
    VirtualClock clock = VirtualClock.create();
    assertThat(clock.instant()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(clock.instant()).isEqualTo(clock.instant());

    assertThat(clock.advance(Duration.ofMinutes(90)))
        .isEqualTo(Instant.parse("2026-01-01T01:30:00Z"));
    assertThat(clock.nanos()).isEqualTo(Duration.ofMinutes(90).toNanos());
    assertThat(clock.elapsed()).isEqualTo(Duration.ofMinutes(90));
    assertThat(clock.millis()).isEqualTo(Instant.parse("2026-01-01T01:30:00Z").toEpochMilli());
  }

  @Test
  void startsWhereToldAndKeepsNanosecondPrecision() {
    VirtualClock clock = VirtualClock.startingAt(Instant.parse("2030-06-01T12:00:00Z"));
    clock.advance(Duration.ofNanos(7));
    assertThat(clock.instant()).isEqualTo(Instant.parse("2030-06-01T12:00:00.000000007Z"));
    clock.advanceTo(Instant.parse("2030-06-01T13:00:00Z"));
    assertThat(clock.instant()).isEqualTo(Instant.parse("2030-06-01T13:00:00Z"));
  }

  @Test
  void refusesToGoBackwards() {
    VirtualClock clock = VirtualClock.create();
    clock.advance(Duration.ofSeconds(10));
    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only moves forward");
    assertThatThrownBy(() -> clock.advanceTo(VirtualClock.DEFAULT_START))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2026-01-01T00:00:10Z");
    assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void refusesAnElapsedTimeBeyondWhatNanosecondsCanHold() {
    VirtualClock clock = VirtualClock.create();
    assertThatThrownBy(() -> clock.advance(Duration.ofDays(365L * 300)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("292 years");
  }

  @Test
  void concurrentAdvancesAreNotLost() throws InterruptedException {
    VirtualClock clock = VirtualClock.create();
    Thread[] threads = new Thread[4];
    for (int i = 0; i < threads.length; i++) {
      threads[i] =
          new Thread(
              () -> {
                for (int n = 0; n < 10_000; n++) {
                  clock.advance(Duration.ofMillis(1));
                }
              });
      threads[i].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(40));
  }
}
