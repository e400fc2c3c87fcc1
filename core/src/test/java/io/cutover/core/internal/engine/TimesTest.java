// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TimesTest {
  @Test
  @DisplayName("time arithmetic saturates instead of throwing")
  void saturates() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    Duration huge = Duration.ofSeconds(Long.MAX_VALUE / 2);
    assertThat(Times.plus(now, huge)).isEqualTo(Instant.MAX);
    assertThat(Times.plus(now, huge.negated())).isEqualTo(Instant.MIN);
    assertThat(Times.plus(now, Duration.ofMinutes(5))).isEqualTo(now.plusSeconds(300));
    assertThat(Times.nanos(huge)).isEqualTo(Long.MAX_VALUE);
    assertThat(Times.nanos(huge.negated())).isEqualTo(Long.MIN_VALUE);
    assertThat(Times.nanos(Duration.ofDays(365))).isEqualTo(Duration.ofDays(365).toNanos());
  }
}
