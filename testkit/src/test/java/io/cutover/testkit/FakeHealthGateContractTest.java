// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.Verdict;
import io.cutover.api.Verdict.Outcome;
import io.cutover.simulator.ScriptedMetrics;
import io.cutover.simulator.VirtualClock;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import io.cutover.spi.MetricQuery;
import io.cutover.spi.MetricResult;
import io.cutover.testkit.contract.HealthGateContract;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The kit runs against a FakeHealthGate that thresholds the error rate read from ScriptedMetrics,
 * the way a provider's metric gate would.
 */
@DisplayName("FakeHealthGate")
class FakeHealthGateContractTest extends HealthGateContract {
  private final ScriptedMetrics metrics = ScriptedMetrics.withOrigin(VirtualClock.DEFAULT_START);

  private Verdict errorRateBelowOnePercent(GateContext ctx) {
    MetricResult r =
        metrics.query(
            new MetricQuery(
                "error_rate",
                Map.of("release", ctx.candidate().id()),
                ctx.windowStart(),
                ctx.now(),
                java.time.Duration.ofSeconds(30)));
    if (r.isNoData()) {
      return Verdict.inconclusive("no data: " + r.detail());
    }
    double worst = java.util.Arrays.stream(r.values()).max().orElseThrow();
    Verdict.Measurement m =
        new Verdict.Measurement("error_rate", ctx.candidate().id(), worst, "< 0.01");
    return (worst < 0.01 ? Verdict.pass() : Verdict.fail("error rate " + worst + " >= 0.01"))
        .with(m);
  }

  @Override
  protected HealthGate createGate() {
    return FakeHealthGate.named("error-rate").answering(this::errorRateBelowOnePercent);
  }

  @Override
  protected void arrangeHealthy() {
    metrics.series("error_rate").release(candidate().id()).constant(0.001);
  }

  @Override
  protected void arrangeUnhealthy() {
    metrics.series("error_rate").release(candidate().id()).constant(0.2);
  }

  @Override
  protected void arrangeNoData() {
    // Nothing scripted for the candidate.
  }

  @Nested
  @DisplayName("scripting")
  class Scripting {
    private final FakeHealthGate gate = FakeHealthGate.named("smoke");

    @Test
    @DisplayName("passes by default, follows a sequence, then returns to its standing answer")
    void sequence() {
      gate.returning(Verdict.fail("standing"))
          .sequence(Verdict.pass(), Verdict.inconclusive("blip"));
      assertThat(gate.evaluate(context()).outcome()).isEqualTo(Outcome.PASS);
      assertThat(gate.evaluate(context()).outcome()).isEqualTo(Outcome.INCONCLUSIVE);
      assertThat(gate.evaluate(context()).reasons()).containsExactly("standing");
      assertThat(FakeHealthGate.named("fresh").evaluate(context()).outcome())
          .isEqualTo(Outcome.PASS);
    }

    @Test
    @DisplayName("an exception in the answer becomes an ERROR verdict, not a thrown exception")
    void exceptionBecomesError() {
      gate.answering(
          ctx -> {
            throw new IllegalStateException("backend down");
          });
      Verdict v = gate.evaluate(context());
      assertThat(v.outcome()).isEqualTo(Outcome.ERROR);
      assertThat(v.reasons()).singleElement().asString().contains("backend down");
    }

    @Test
    @DisplayName("throwing breaks the contract on purpose, until another answer is set")
    void throwing() {
      gate.throwing(new IllegalStateException("misbehaving gate"));
      assertThatThrownBy(() -> gate.evaluate(context())).hasMessage("misbehaving gate");
      gate.returning(Verdict.pass());
      assertThat(gate.evaluate(context()).passed()).isTrue();
    }

    @Test
    @DisplayName("records every context it evaluated")
    void recordsContexts() {
      gate.evaluate(context());
      gate.evaluate(context());
      assertThat(gate.evaluationCount()).isEqualTo(2);
      assertThat(gate.evaluations()).extracting(GateContext::candidate).containsOnly(candidate());
      assertThat(gate.name()).isEqualTo("smoke");
    }
  }
}
