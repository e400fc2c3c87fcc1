// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.spi.OperationId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The recording world of crash tests")
class RecordingWorldTest {
  static final String SVC = "orders";
  final Release v1 = CrashScenario.release(SVC, "v1");
  final Release v2 = CrashScenario.release(SVC, "v2");

  @TempDir Path dir;

  Path log() {
    return dir.resolve("effects.log");
  }

  static OperationId op(String s) {
    return new OperationId(s);
  }

  @Test
  @DisplayName(
      "effects survive the process: a reopened world has the same instances and split, and repeats change nothing")
  void durableAndIdempotent() {
    List<Instance> launched;
    try (RecordingWorld w = RecordingWorld.open(log())) {
      launched = w.fleet().launch(op("r1/s0/launch"), v1, 3);
      w.router()
          .apply(op("r1/s1/route"), SVC, TrafficSplit.all(v1.id()), Map.of(v1.id(), launched));
    }
    try (RecordingWorld w = RecordingWorld.open(log())) {
      assertThat(w.fleet().instances(SVC)).isEqualTo(launched);
      assertThat(w.router().current(SVC)).contains(TrafficSplit.all(v1.id()));
      assertThat(w.fleet().launch(op("r1/s0/launch"), v1, 3))
          .as("a repeat returns the first launch")
          .isEqualTo(launched);
      w.router()
          .apply(op("r1/s1/route"), SVC, TrafficSplit.all(v1.id()), Map.of(v1.id(), launched));
      assertThat(w.fleet().instances(SVC)).hasSize(3);
      assertThat(w.effects())
          .extracting(Effect::kind)
          .containsExactly(
              Effect.Kind.LAUNCH, Effect.Kind.ROUTE, Effect.Kind.REISSUE, Effect.Kind.REISSUE);
      assertThat(w.violations()).isEmpty();
    }
    RecordedWorld replayed = RecordedWorld.of(EffectLog.read(log()));
    assertThat(replayed.duplicates()).isZero();
    assertThat(replayed.reissues()).isEqualTo(2);
  }

  @Test
  @DisplayName("an operation id reused for another effect is refused")
  void reusedId() {
    try (RecordingWorld w = RecordingWorld.open(log())) {
      w.fleet().launch(op("r1/s0/launch"), v1, 2);
      assertThatThrownBy(() -> w.fleet().launch(op("r1/s0/launch"), v2, 2))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("r1/s0/launch");
      assertThatThrownBy(() -> w.fleet().retire(op("r1/s0/launch"), v1))
          .isInstanceOf(InvalidSpecException.class);
    }
  }

  @Test
  @DisplayName(
      "scaling down stops the most recently launched instances first; drain and retire follow")
  void scaleDrainRetire() {
    try (RecordingWorld w = RecordingWorld.open(log())) {
      List<Instance> first = w.fleet().launch(op("r1/s0/launch"), v2, 1);
      List<Instance> up = w.fleet().scale(op("r1/s2/scale"), v2, 3);
      assertThat(up).hasSize(3).startsWith(first.get(0));
      List<Instance> down = w.fleet().scale(op("r1/s4/scale"), v2, 2);
      assertThat(down).containsExactly(up.get(0), up.get(1));
      w.fleet().drain(op("r1/s5/drain"), v2);
      assertThat(w.fleet().instances(SVC))
          .extracting(Instance::state)
          .containsOnly(InstanceState.DRAINING);
      w.fleet().retire(op("r1/s6/retire"), v2);
      assertThat(w.fleet().instances(SVC)).isEmpty();
    }
  }

  @Test
  @DisplayName(
      "the fold flags traffic to stopped instances, stopping routed instances, and an operation applied twice")
  void violations() {
    RecordedWorld w = new RecordedWorld();
    w.apply(
        effect(
            0,
            Effect.Kind.LAUNCH,
            "a/s0/launch",
            v1.id(),
            List.of("i1", "i2"),
            List.of(),
            Map.of(),
            Map.of()));
    w.apply(
        effect(
            1,
            Effect.Kind.ROUTE,
            "a/s1/route",
            null,
            List.of(),
            List.of(),
            Map.of(v1.id(), 10_000),
            Map.of(v1.id(), List.of("i1", "i2"))));
    assertThat(w.violations()).isEmpty();
    w.apply(
        effect(
            2,
            Effect.Kind.RETIRE,
            "a/s2/retire",
            v1.id(),
            List.of(),
            List.of("i1", "i2"),
            Map.of(),
            Map.of()));
    assertThat(w.violations())
        .hasSize(2)
        .first()
        .asString()
        .contains("stopped instance i1 while the split of a/s1/route");
    w.apply(
        effect(
            3,
            Effect.Kind.ROUTE,
            "a/s3/route",
            null,
            List.of(),
            List.of(),
            Map.of(v1.id(), 10_000),
            Map.of(v1.id(), List.of("i2"))));
    assertThat(w.violations())
        .last()
        .asString()
        .contains("routed traffic to TERMINATED instance i2");
    w.apply(
        effect(
            4,
            Effect.Kind.LAUNCH,
            "a/s0/launch",
            v1.id(),
            List.of("i3"),
            List.of(),
            Map.of(),
            Map.of()));
    assertThat(w.duplicates()).isEqualTo(1);
    assertThat(w.violations()).last().asString().contains("operation a/s0/launch applied again");
  }

  @Test
  @DisplayName(
      "a line torn by a crash in the middle of a write was never applied and is cut off on open")
  void tornLine() throws Exception {
    try (RecordingWorld w = RecordingWorld.open(log())) {
      w.fleet().launch(op("r1/s0/launch"), v1, 2);
    }
    Files.write(
        log(),
        "{\"index\":1,\"kind\":\"RETI".getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.APPEND);
    assertThat(EffectLog.read(log())).hasSize(1);
    try (RecordingWorld w = RecordingWorld.open(log())) {
      assertThat(w.fleet().instances(SVC)).hasSize(2);
      w.fleet().retire(op("r1/s9/retire"), v1);
    }
    assertThat(EffectLog.read(log()))
        .extracting(Effect::kind)
        .containsExactly(Effect.Kind.LAUNCH, Effect.Kind.RETIRE);
  }

  @Test
  @DisplayName(
      "a shared world is one world for several openers: each sees what the others applied,"
          + " repeats of their operations are answered without acting, a dead writer's torn line is"
          + " cut off")
  void shared() throws Exception {
    try (RecordingWorld a = RecordingWorld.openShared(log());
        RecordingWorld b = RecordingWorld.openShared(log())) {
      List<Instance> launched = a.fleet().launch(op("r1/s0/launch"), v1, 2);
      assertThat(b.fleet().instances(SVC)).isEqualTo(launched);
      assertThat(b.fleet().launch(op("r1/s0/launch"), v1, 2))
          .as("b repeats a's operation: answered from the log")
          .isEqualTo(launched);
      b.router()
          .apply(op("r1/s1/route"), SVC, TrafficSplit.all(v1.id()), Map.of(v1.id(), launched));
      assertThat(a.router().current(SVC)).contains(TrafficSplit.all(v1.id()));
      // A process killed in the middle of its write, holding the lock, leaves a torn line.
      Files.write(
          log(),
          "{\"index\":3,\"kind\":\"RETI".getBytes(StandardCharsets.UTF_8),
          StandardOpenOption.APPEND);
      a.fleet().retire(op("r1/s2/retire"), v1);
      assertThat(b.fleet().instances(SVC)).isEmpty();
      assertThat(b.effects())
          .extracting(Effect::kind)
          .containsExactly(
              Effect.Kind.LAUNCH, Effect.Kind.REISSUE, Effect.Kind.ROUTE, Effect.Kind.RETIRE);
      assertThat(b.violations())
          .as("the retirement broke the split b applied, and a saw it")
          .hasSize(2)
          .allMatch(v -> v.contains("while the split of r1/s1/route"));
    }
    RecordedWorld replayed = RecordedWorld.of(EffectLog.read(log()));
    assertThat(replayed.duplicates()).isZero();
    assertThat(replayed.reissues()).isEqualTo(1);
    try (EffectLog shared = EffectLog.openShared(log())) {
      assertThatThrownBy(() -> shared.append(EffectLog.read(log()).get(0)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("inside exclusive");
    }
  }

  static Effect effect(
      long index,
      Effect.Kind kind,
      String op,
      String release,
      List<String> started,
      List<String> stopped,
      Map<String, Integer> weights,
      Map<String, List<String>> backends) {
    return new Effect(
        index, kind, op, SVC, release, started, List.of(), stopped, weights, backends);
  }
}
