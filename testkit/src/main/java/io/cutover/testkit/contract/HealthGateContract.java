// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.Release;
import io.cutover.api.Verdict;
import io.cutover.api.Verdict.Outcome;
import io.cutover.simulator.VirtualClock;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link HealthGate}: a healthy candidate passes, an unhealthy one fails with
 * reasons, no data never passes, the name is stable, evaluation never throws, has no side effects
 * and is safe under concurrent use.
 *
 * <p>Extend it and implement {@link #createGate()} and the three arrange methods, which put the
 * world the gate reads (metrics, an HTTP endpoint, a human's decision) into the named condition for
 * {@link #candidate()} in the current rollout ({@link #rolloutId()}). The kit builds each {@link
 * GateContext} itself ({@link #context()}); its window ends at {@link #clock()}'s now, which starts
 * at {@link VirtualClock#DEFAULT_START} plus {@link #window()}, so data scripted from the clock's
 * start covers it. A gate that judges a window arranges "healthy" for the <em>latest</em> window:
 * when an unhealthy arrangement came first, advance {@link #clock()} past the window before
 * recording healthy data.
 *
 * <p><b>Optional capabilities</b> (protected hooks with defaults that keep the full contract):
 *
 * <ul>
 *   <li>{@link #decisionsAreFinal()}: gates whose verdict records a decision for a rollout (manual
 *       approval) keep it for that rollout by design; the kit then checks that the decision holds
 *       and that the next rollout starts fresh, instead of expecting the same rollout to recover.
 *   <li>{@link #judgesTheCandidate()}: gates that judge the service rather than the candidate (an
 *       error-budget freeze) have no per-release evidence to lack; the kit then skips the
 *       unknown-release test.
 * </ul>
 *
 * <pre>{@code
 * class ErrorRateGateContractTest extends HealthGateContract {
 *   ScriptedMetrics metrics = ScriptedMetrics.withOrigin(VirtualClock.DEFAULT_START);
 *   protected HealthGate createGate() { return new ErrorRateGate(metrics, 0.01); }
 *   protected void arrangeHealthy() { metrics.series("error_rate").release(candidate().id()).constant(0.001); }
 *   protected void arrangeUnhealthy() { metrics.series("error_rate").release(candidate().id()).constant(0.2); }
 *   protected void arrangeNoData() { }
 * }
 * }</pre>
 */
@DisplayName("HealthGate contract")
@DisplayNameGeneration(KitDisplayNames.class)
public abstract class HealthGateContract {

  private static final String FIRST_ROLLOUT = "r-contract";

  private final VirtualClock clock = VirtualClock.create();
  private @Nullable HealthGate gate;
  private String rolloutId = FIRST_ROLLOUT;

  /** The gate under test. Called once before each test, before any arrange method. */
  protected abstract HealthGate createGate();

  /** Makes {@link #candidate()} healthy for the gate: the next evaluation must PASS. */
  protected abstract void arrangeHealthy();

  /** Makes {@link #candidate()} clearly unhealthy: the next evaluation must FAIL. */
  protected abstract void arrangeUnhealthy();

  /** Leaves the gate without data about {@link #candidate()}: evaluations must never PASS. */
  protected abstract void arrangeNoData();

  /** The kit's clock; the context's window ends at its now. */
  protected final VirtualClock clock() {
    return clock;
  }

  /**
   * Whether a verdict, once decided for a rollout, is final for that rollout: true for
   * approval-type gates, where a human's denial must not be undone by a later "healthy"
   * arrangement. False by default. When true, "keeps no sticky state" checks that the failed
   * rollout stays failed and that the next rollout ({@link #rolloutId()} changes before the second
   * arrangement) passes when arranged healthy.
   */
  protected boolean decisionsAreFinal() {
    return false;
  }

  /**
   * Whether the gate's verdict is evidence about the candidate release (true by default). Gates
   * that judge the service as a whole, whatever release is deployed (an error-budget release
   * freeze), return false: the kit then skips "a release the gate has no evidence about never
   * passes", which does not apply to them. Every other test still runs.
   */
  protected boolean judgesTheCandidate() {
    return true;
  }

  /**
   * The rollout the kit's contexts belong to; arrange methods that record per-rollout state use it.
   */
  protected final String rolloutId() {
    return rolloutId;
  }

  /** The length of the window judged; 5 minutes by default. */
  protected Duration window() {
    return Duration.ofMinutes(5);
  }

  /** The service. */
  protected String service() {
    return "checkout";
  }

  /** The stable (baseline) release. */
  protected Release stable() {
    return KitSupport.release(service(), "stable");
  }

  /** The release under test. */
  protected Release candidate() {
    return KitSupport.release(service(), "candidate");
  }

  /** The READY instances of the candidate given in the context. */
  protected List<Instance> candidateInstances() {
    Release c = candidate();
    return List.of(
        new Instance(
            c.id() + "-1",
            c.id(),
            URI.create("http://127.0.0.1:20001"),
            InstanceState.READY,
            c.artifact().digest()));
  }

  /**
   * The context of an analysis measurement of {@link #candidate()} over the last {@link #window()}.
   */
  protected GateContext context() {
    return GateContext.builder()
        .rolloutId(rolloutId)
        .service(service())
        .stable(stable())
        .candidate(candidate())
        .windowStart(clock.instant().minus(window()))
        .now(clock.instant())
        .candidateInstances(candidateInstances())
        .build();
  }

  @BeforeEach
  void createTheGate() {
    clock.advance(window());
    gate = createGate();
    assertThat(gate).as("createGate()").isNotNull();
  }

  /** The gate under test. */
  protected final HealthGate gate() {
    if (gate == null) {
      throw new IllegalStateException("no gate: createGate() runs before each test");
    }
    return gate;
  }

  private Verdict evaluate(GateContext ctx) {
    Verdict v = gate().evaluate(ctx);
    assertThat(v).as("verdict of %s", gate().name()).isNotNull();
    return v;
  }

  @Nested
  @KitGroup("verdicts")
  class Verdicts {
    @Test
    @DisplayName("a healthy candidate passes")
    void healthy() {
      arrangeHealthy();
      assertThat(evaluate(context()).outcome()).isEqualTo(Outcome.PASS);
    }

    @Test
    @DisplayName("an unhealthy candidate fails, and the verdict says why")
    void unhealthy() {
      arrangeUnhealthy();
      Verdict v = evaluate(context());
      assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(v.reasons())
          .as("reasons of a FAIL")
          .isNotEmpty()
          .allSatisfy(r -> assertThat(r).isNotBlank());
    }

    @Test
    @DisplayName("no data never passes")
    void noData() {
      arrangeNoData();
      assertThat(evaluate(context()).outcome()).isNotEqualTo(Outcome.PASS);
    }

    @Test
    @DisplayName(
        "a release the gate has no evidence about never passes, even while the candidate is healthy")
    void unknownRelease() {
      assumeTrue(
          judgesTheCandidate(),
          "the gate judges the service, not a release (judgesTheCandidate() is false)");
      arrangeHealthy();
      Release stranger = KitSupport.release(service(), "never-deployed");
      GateContext ctx = context();
      // A rollout has exactly one candidate, so a context about another release is another rollout:
      // keeping
      // the rollout id would hand the gate per-rollout evidence (an approval) that the engine never
      // mixes up.
      GateContext aboutStranger =
          ctx.toBuilder()
              .rolloutId(ctx.rolloutId() + "-stranger")
              .candidate(stranger)
              .measurement(1)
              .candidateInstances(List.of())
              .build();
      assertThat(evaluate(aboutStranger).outcome()).isNotEqualTo(Outcome.PASS);
    }
  }

  @Nested
  @KitGroup("naming")
  class Naming {
    @Test
    @DisplayName("has a non-blank name that evaluations do not change")
    void stableName() {
      String name = gate().name();
      assertThat(name).isNotBlank();
      arrangeHealthy();
      evaluate(context());
      arrangeUnhealthy();
      evaluate(context());
      assertThat(gate().name()).isEqualTo(name);
    }
  }

  @Nested
  @KitGroup("robustness")
  class Robustness {
    @Test
    @DisplayName(
        "never throws out of evaluate: first deployment, empty window, no instances, late measurement")
    void neverThrows() {
      arrangeHealthy();
      GateContext ctx = context();
      List<GateContext> odd =
          List.of(
              ctx.toBuilder().stable(null).measurement(1).build(),
              ctx.toBuilder().windowStart(ctx.now()).measurement(1).build(),
              ctx.toBuilder().measurement(1).candidateInstances(List.of()).build(),
              ctx.toBuilder().measurement(10_000).build());
      for (GateContext c : odd) {
        assertThatCode(() -> evaluate(c)).as("evaluate(%s)", c).doesNotThrowAnyException();
      }
    }

    @Test
    @DisplayName("has no side effects: the same question gets the same answer")
    void repeatable() {
      arrangeUnhealthy();
      GateContext ctx = context();
      List<Outcome> outcomes = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        outcomes.add(evaluate(ctx).outcome());
      }
      assertThat(outcomes).containsOnly(Outcome.FAIL);
    }

    @Test
    @DisplayName("keeps no sticky state: after a failure, a healthy candidate passes again")
    void recovers() {
      arrangeUnhealthy();
      GateContext failed = context();
      assertThat(evaluate(failed).outcome()).isEqualTo(Outcome.FAIL);
      if (decisionsAreFinal()) {
        rolloutId = FIRST_ROLLOUT + "-next";
        arrangeHealthy();
        assertThat(evaluate(context()).outcome())
            .as("the next rollout, arranged healthy")
            .isEqualTo(Outcome.PASS);
        assertThat(evaluate(failed).outcome())
            .as("the decided rollout keeps its decision")
            .isEqualTo(Outcome.FAIL);
        return;
      }
      arrangeHealthy();
      assertThat(evaluate(context()).outcome()).isEqualTo(Outcome.PASS);
    }
  }

  @Nested
  @KitGroup("concurrency")
  class Concurrency {
    @Test
    @DisplayName("8 threads evaluating at once all get the arranged verdict")
    void concurrent() throws Exception {
      arrangeHealthy();
      GateContext ctx = context();
      List<List<Outcome>> results =
          KitSupport.concurrently(
              8,
              t -> {
                List<Outcome> mine = new ArrayList<>();
                for (int i = 0; i < 25; i++) {
                  mine.add(gate().evaluate(ctx).outcome());
                }
                return mine;
              });
      assertThat(results)
          .allSatisfy(mine -> assertThat(mine).hasSize(25).containsOnly(Outcome.PASS));
    }
  }
}
