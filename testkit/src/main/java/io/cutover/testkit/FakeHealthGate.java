// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Verdict;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A {@link HealthGate} whose verdicts are scripted: always the same, a sequence, or any function of
 * the {@link GateContext}. It records every context it was asked to evaluate.
 *
 * <pre>{@code
 * FakeHealthGate smoke = FakeHealthGate.named("smoke");                       // always PASS
 * FakeHealthGate flaky = FakeHealthGate.named("flaky").sequence(pass(), fail("5xx"), pass());
 * FakeHealthGate byRelease = FakeHealthGate.named("errors")
 *     .answering(ctx -> ctx.candidate().id().equals(bad.id()) ? Verdict.fail("errors") : Verdict.pass());
 * }</pre>
 *
 * <p>Like every well-behaved gate it never throws out of {@link #evaluate}: an exception from an
 * {@link #answering} function becomes an ERROR verdict. {@link #throwing} breaks that rule on
 * purpose, to test how the engine copes with a gate that does.
 *
 * <p><b>Threading.</b> Thread-safe; a sequence is consumed in the order evaluations arrive.
 */
public final class FakeHealthGate implements HealthGate {

  private final String name;
  private Function<GateContext, Verdict> answer = ctx -> Verdict.pass("scripted pass");
  private final List<Verdict> sequence = new ArrayList<>();
  private @Nullable RuntimeException toThrow;
  private final List<GateContext> evaluations = new ArrayList<>();

  private FakeHealthGate(String name) {
    if (name == null || name.isBlank()) {
      throw new InvalidSpecException(
          "gate.name", "is blank", "name the gate as Verify steps reference it");
    }
    this.name = name;
  }

  /** A gate called {@code name} that passes until told otherwise. */
  public static FakeHealthGate named(String name) {
    return new FakeHealthGate(name);
  }

  /** From now on, every evaluation returns {@code verdict}. */
  public synchronized FakeHealthGate returning(Verdict verdict) {
    Objects.requireNonNull(verdict, "verdict");
    return answering(ctx -> verdict);
  }

  /**
   * The next evaluations return these verdicts in order; after the last one, the gate goes back to
   * its {@link #returning}/{@link #answering} answer.
   */
  public synchronized FakeHealthGate sequence(Verdict... verdicts) {
    for (Verdict v : verdicts) {
      sequence.add(Objects.requireNonNull(v, "verdict"));
    }
    return this;
  }

  /**
   * From now on, the verdict is {@code answer} applied to the context; exceptions become ERROR
   * verdicts.
   */
  public synchronized FakeHealthGate answering(Function<GateContext, Verdict> answer) {
    this.answer = Objects.requireNonNull(answer, "answer");
    this.toThrow = null;
    return this;
  }

  /**
   * From now on, evaluation throws {@code failure}: a gate that breaks its contract, for robustness
   * tests.
   */
  public synchronized FakeHealthGate throwing(RuntimeException failure) {
    this.toThrow = Objects.requireNonNull(failure, "failure");
    return this;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Verdict evaluate(GateContext context) {
    Objects.requireNonNull(context, "context");
    Function<GateContext, Verdict> fn;
    synchronized (this) {
      evaluations.add(context);
      if (toThrow != null) {
        throw toThrow;
      }
      if (!sequence.isEmpty()) {
        return sequence.remove(0);
      }
      fn = answer;
    }
    try {
      Verdict v = fn.apply(context);
      return v != null ? v : Verdict.error("gate '" + name + "' answered null");
    } catch (RuntimeException e) {
      return Verdict.error(e);
    }
  }

  /** Every context evaluated, in order. */
  public synchronized List<GateContext> evaluations() {
    return List.copyOf(evaluations);
  }

  /** How many times the gate was evaluated. */
  public synchronized int evaluationCount() {
    return evaluations.size();
  }

  @Override
  public String toString() {
    return "FakeHealthGate[" + name + "]";
  }
}
