// SPDX-License-Identifier: Apache-2.0
package io.cutover.api.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.TrafficSplit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class StepTest {
  private static final Duration Z = Duration.ZERO;
  private static final Duration S30 = Duration.ofSeconds(30);

  private static void refused(Executable e, String path) {
    assertThatThrownBy(e::execute)
        .isInstanceOfSatisfying(
            InvalidSpecException.class, ex -> assertThat(ex.path()).isEqualTo(path));
  }

  @Test
  @DisplayName("launch: a release and at least one replica")
  void launch() {
    assertThat(new Step.Launch("app-1", 3).describe()).isEqualTo("launch 3 x app-1");
    assertThat(new Step.Launch("app-1", 3).kind()).isEqualTo("launch");
    refused(() -> new Step.Launch("app-1", 0), "launch.replicas");
    refused(() -> new Step.Launch(" ", 1), "launch.releaseId");
    refused(() -> new Step.Launch(null, 1), "launch.releaseId");
  }

  @Test
  @DisplayName("route: a split is required")
  void route() {
    Step.Route r = new Step.Route(TrafficSplit.of("a", "b", 1_000));
    assertThat(r.kind()).isEqualTo("route");
    assertThat(r.describe()).isEqualTo("route {a: 90.00%, b: 10.00%}");
    assertThatThrownBy(() -> new Step.Route(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  @DisplayName("verify: builder defaults follow Argo Rollouts (count 1, limits 0/0/4, foreground)")
  void verifyDefaults() {
    Step.Verify v = Step.Verify.gates("error-rate").build();

    assertThat(v)
        .isEqualTo(new Step.Verify(List.of("error-rate"), List.of(), Z, Z, 1, 0, 0, 4, false));
    assertThat(v.describe()).isEqualTo("verify error-rate x1 limits f=0 i=0 e=4");
    Step.Verify all =
        Step.Verify.gates("a", "b")
            .dryRun("c")
            .initialDelay(Duration.ofMinutes(1))
            .interval(S30)
            .count(0)
            .failureLimit(1)
            .inconclusiveLimit(2)
            .consecutiveErrorLimit(3)
            .background()
            .build();
    assertThat(all)
        .isEqualTo(
            new Step.Verify(
                List.of("a", "b"), List.of("c"), Duration.ofMinutes(1), S30, 0, 1, 2, 3, true));
    assertThat(all.describe())
        .isEqualTo(
            "verify (background) a,b dry-run:c until end every 30s after 1m limits f=1 i=2 e=3");
    assertThat(Step.Verify.gates(new String[0]).dryRun("only-recorded").build().dryRunGates())
        .containsExactly("only-recorded");
  }

  @Test
  @DisplayName("verify: copies its lists")
  void verifyCopies() {
    List<String> gates = new ArrayList<>(List.of("a"));
    Step.Verify v = new Step.Verify(gates, List.of(), Z, Z, 1, 0, 0, 4, false);
    gates.add("b");
    assertThat(v.gates()).containsExactly("a");
    assertThatThrownBy(() -> v.gates().add("c")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  @DisplayName("verify: refuses every invalid field with its path")
  void verifyInvalid() {
    refused(() -> Step.Verify.gates(new String[0]).build(), "verify.gates");
    refused(() -> Step.Verify.gates(" ").build(), "verify.gates");
    refused(() -> Step.Verify.gates("a").dryRun("").build(), "verify.dryRunGates");
    refused(
        () -> Step.Verify.gates("a").initialDelay(Duration.ofSeconds(-1)).build(),
        "verify.initialDelay");
    refused(
        () -> Step.Verify.gates("a").interval(Duration.ofSeconds(-1)).build(), "verify.interval");
    refused(() -> Step.Verify.gates("a").count(0).build(), "verify.count");
    refused(
        () -> Step.Verify.gates("a").count(-1).background().interval(S30).build(), "verify.count");
    refused(() -> Step.Verify.gates("a").count(3).build(), "verify.interval");
    refused(() -> Step.Verify.gates("a").count(0).background().build(), "verify.interval");
    refused(() -> Step.Verify.gates("a").failureLimit(-1).build(), "verify.failureLimit");
    refused(() -> Step.Verify.gates("a").inconclusiveLimit(-1).build(), "verify.inconclusiveLimit");
    refused(
        () -> Step.Verify.gates("a").consecutiveErrorLimit(-1).build(),
        "verify.consecutiveErrorLimit");
    assertThat(Step.Verify.gates("a").count(3).interval(S30).build().count()).isEqualTo(3);
  }

  @Test
  @DisplayName("pause: positive, or until approved")
  void pause() {
    assertThat(Step.Pause.of(Duration.ofMinutes(5)).describe()).isEqualTo("pause 5m");
    assertThat(Step.Pause.of(Duration.ofMillis(1500)).describe()).isEqualTo("pause 1500ms");
    assertThat(Step.Pause.of(Duration.ofHours(2)).describe()).isEqualTo("pause 2h");
    assertThat(Step.Pause.of(Duration.ofSeconds(90)).describe()).isEqualTo("pause 90s");
    assertThat(Step.Pause.untilApproved().describe()).isEqualTo("pause until approved");
    assertThat(Step.Pause.untilApproved().untilApproval()).isTrue();
    assertThat(Step.Pause.of(S30).untilApproval()).isFalse();
    assertThat(Step.Pause.untilApproved().kind()).isEqualTo("pause");
    refused(() -> Step.Pause.of(Z), "pause.duration");
    refused(() -> Step.Pause.of(Duration.ofSeconds(-5)), "pause.duration");
    assertThatThrownBy(() -> Step.Pause.of(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  @DisplayName(
      "every duration is at most Step.MAX_DURATION: a huge one is refused with the maximum and a fix")
  void hugeDurations() {
    Duration huge = Duration.ofSeconds(Long.MAX_VALUE / 2);
    assertThatThrownBy(() -> Step.Pause.of(huge))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            ex -> {
              assertThat(ex.path()).isEqualTo("pause.duration");
              assertThat(ex.getMessage())
                  .contains("longer than the maximum 365d")
                  .contains("Step.MAX_DURATION")
                  .contains("pause until approval");
            });
    refused(() -> new Step.Drain("app-1", huge), "drain.period");
    refused(() -> Step.Verify.gates("a").initialDelay(huge).build(), "verify.initialDelay");
    refused(() -> Step.Verify.gates("a").count(2).interval(huge).build(), "verify.interval");
    refused(() -> Step.Pause.of(Step.MAX_DURATION.plusNanos(1)), "pause.duration");
    assertThat(Step.Pause.of(Step.MAX_DURATION).duration()).isEqualTo(Duration.ofDays(365));
    assertThat(new Step.Drain("app-1", Step.MAX_DURATION).period()).isEqualTo(Step.MAX_DURATION);
  }

  @Test
  @DisplayName("hook: a gate and a phase; parameters are copied and printed sorted")
  void hook() {
    Map<String, String> params = new HashMap<>(Map.of("table", "orders", "mode", "expand"));
    Step.Hook h = new Step.Hook("migrate", "pre-rollout", params);
    params.put("late", "x");

    assertThat(h.params()).containsOnlyKeys("table", "mode");
    assertThat(h.describe()).isEqualTo("hook pre-rollout via migrate {mode=expand, table=orders}");
    assertThat(new Step.Hook("warmup", "post-launch", Map.of()).describe())
        .isEqualTo("hook post-launch via warmup");
    refused(() -> new Step.Hook(" ", "pre-rollout", Map.of()), "hook.gate");
    refused(() -> new Step.Hook("migrate", "", Map.of()), "hook.phase");
  }

  @Test
  @DisplayName("retire, scale and drain: a release; scale to 0 or more; drain for 0 or more")
  void retireScaleDrain() {
    assertThat(new Step.Retire("app-1").describe()).isEqualTo("retire app-1");
    assertThat(new Step.Scale("app-1", 0).describe()).isEqualTo("scale app-1 to 0");
    assertThat(new Step.Drain("app-1", S30).describe()).isEqualTo("drain app-1 for 30s");
    assertThat(new Step.Drain("app-1", Z).describe()).isEqualTo("drain app-1");
    assertThat(
            List.of(
                new Step.Retire("a").kind(),
                new Step.Scale("a", 1).kind(),
                new Step.Drain("a", Z).kind()))
        .containsExactly("retire", "scale", "drain");
    refused(() -> new Step.Retire(""), "retire.releaseId");
    refused(() -> new Step.Scale("app-1", -1), "scale.replicas");
    refused(() -> new Step.Scale(" ", 1), "scale.releaseId");
    refused(() -> new Step.Drain("app-1", Duration.ofSeconds(-1)), "drain.period");
    refused(() -> new Step.Drain(null, Z), "drain.releaseId");
  }
}
