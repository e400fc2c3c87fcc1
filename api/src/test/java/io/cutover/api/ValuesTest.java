// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ValuesTest {
  @Nested
  @DisplayName("Verdict")
  class VerdictTests {
    @Test
    @DisplayName("factories set the outcome and reasons; only PASS passes")
    void factories() {
      assertThat(Verdict.pass("ok").passed()).isTrue();
      assertThat(Verdict.fail("5xx at 3 %").outcome()).isEqualTo(Verdict.Outcome.FAIL);
      assertThat(Verdict.fail("x").passed()).isFalse();
      assertThat(Verdict.inconclusive("no data").reasons()).containsExactly("no data");
      assertThat(Verdict.inconclusive().passed()).isFalse();
      assertThat(Verdict.error("down", "again").reasons()).containsExactly("down", "again");
      assertThat(Verdict.error(new IllegalStateException("prometheus unreachable")).reasons())
          .containsExactly("IllegalStateException: prometheus unreachable");
    }

    @Test
    @DisplayName("with() returns a copy with one more measurement; lists are immutable copies")
    void measurements() {
      List<String> reasons = new ArrayList<>(List.of("r"));
      Verdict v = new Verdict(Verdict.Outcome.PASS, List.of(), reasons);
      reasons.add("late");
      Verdict.Measurement m = new Verdict.Measurement("success_rate", "app-1", 0.995, ">= 0.99");

      Verdict more = v.with(m);

      assertThat(v.reasons()).containsExactly("r");
      assertThat(v.measurements()).isEmpty();
      assertThat(more.measurements()).containsExactly(m);
      assertThat(more.outcome()).isEqualTo(Verdict.Outcome.PASS);
      assertThatThrownBy(() -> more.measurements().add(m))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThat(more.toString()).contains("PASS").contains("[r]").contains("success_rate");
      assertThat(new Verdict.Measurement("latency", null, Double.NaN, "no data").releaseId())
          .isNull();
      assertThatThrownBy(() -> new Verdict(null, List.of(), List.of()))
          .isInstanceOf(NullPointerException.class);
    }
  }

  @Nested
  @DisplayName("Instance")
  class InstanceTests {
    @Test
    @DisplayName("withState copies every other field; terminal states are TERMINATED and FAILED")
    void withState() {
      Instance i =
          new Instance(
              "i-1",
              "app-1",
              URI.create("http://127.0.0.1:41234"),
              InstanceState.PENDING,
              Digest.sha256("v1"));

      Instance ready = i.withState(InstanceState.READY);

      assertThat(ready)
          .isEqualTo(
              new Instance(
                  "i-1",
                  "app-1",
                  URI.create("http://127.0.0.1:41234"),
                  InstanceState.READY,
                  Digest.sha256("v1")));
      assertThat(i.state()).isEqualTo(InstanceState.PENDING);
      assertThat(InstanceState.TERMINATED.isTerminal()).isTrue();
      assertThat(InstanceState.FAILED.isTerminal()).isTrue();
      assertThat(InstanceState.DRAINING.isTerminal()).isFalse();
      assertThat(InstanceState.READY.isTerminal()).isFalse();
      assertThat(new Instance("i-2", "app-1", null, InstanceState.READY, null).endpoint()).isNull();
    }

    @Test
    @DisplayName("requires an id, a release id and a state")
    void invalid() {
      assertThatThrownBy(() -> new Instance(" ", "app-1", null, InstanceState.READY, null))
          .isInstanceOfSatisfying(
              InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("instance.id"));
      assertThatThrownBy(() -> new Instance("i", "", null, InstanceState.READY, null))
          .isInstanceOfSatisfying(
              InvalidSpecException.class,
              e -> assertThat(e.path()).isEqualTo("instance.releaseId"));
      assertThatThrownBy(() -> new Instance("i", "app-1", null, null, null))
          .isInstanceOfSatisfying(
              InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("instance.state"));
    }
  }

  @Nested
  @DisplayName("exceptions")
  class Exceptions {
    @Test
    @DisplayName("InvalidSpecException renders one or many violations with path, problem and fix")
    void invalidSpec() {
      InvalidSpecException one = new InvalidSpecException("a.b", "is 3", "use 1");
      assertThat(one).hasMessage("invalid a.b: is 3 (fix: use 1)");
      assertThat(one.path()).isEqualTo("a.b");

      InvalidSpecException two =
          new InvalidSpecException(
              List.of(
                  new InvalidSpecException.Violation("x", "p1", "f1"),
                  new InvalidSpecException.Violation("y", "p2", "f2")));
      assertThat(two).hasMessage("2 problems:\n  - x: p1 (fix: f1)\n  - y: p2 (fix: f2)");
      assertThat(two.violations()).hasSize(2);
      assertThatThrownBy(() -> new InvalidSpecException(List.of()))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("the deprecated ProviderException constructors still mean what they meant")
    @SuppressWarnings("deprecation")
    void deprecatedProviderExceptionConstructors() {
      assertThat(new ProviderException("haproxy", "route", "socket closed").retryable()).isTrue();
      ProviderException fatal = new ProviderException("nginx", "reload", "bad config", false, null);
      assertThat(fatal.retryable()).isFalse();
      assertThat(fatal).hasMessage("nginx.reload failed: bad config");
    }

    @Test
    @DisplayName("typed exceptions carry their structured fields")
    void structured() {
      ProviderException p = ProviderException.retryable("haproxy", "route", "socket closed");
      assertThat(p.retryable()).isTrue();
      assertThat(p).hasMessage("haproxy.route failed: socket closed");
      ProviderException fatal =
          ProviderException.permanent("nginx", "reload", "bad config", new RuntimeException("x"));
      assertThat(fatal.retryable()).isFalse();
      assertThat(fatal.getCause()).hasMessage("x");
      assertThat(fatal.provider()).isEqualTo("nginx");
      assertThat(fatal.operation()).isEqualTo("reload");

      assertThat(ProviderException.permanent("nginx", "reload", "bad config").retryable())
          .isFalse();
      assertThat(ProviderException.retryable("nginx", "reload", "slow", new RuntimeException("y")))
          .satisfies(e -> assertThat(e.retryable()).isTrue())
          .hasMessage("nginx.reload failed: slow")
          .hasCauseInstanceOf(RuntimeException.class);

      RolloutConflictException c = new RolloutConflictException("checkout", "r-1");
      assertThat(c.service()).isEqualTo("checkout");
      assertThat(c.activeRolloutId()).isEqualTo("r-1");
      assertThat(c.getMessage()).contains("already has an active rollout r-1").contains("fix:");

      VerificationException v =
          new VerificationException("app@sha256:1", List.of("unsigned", "too old"));
      assertThat(v.failures()).containsExactly("unsigned", "too old");
      assertThat(v.artifact()).isEqualTo("app@sha256:1");
      assertThat(v.getMessage()).contains("unsigned; too old");
    }
  }
}
