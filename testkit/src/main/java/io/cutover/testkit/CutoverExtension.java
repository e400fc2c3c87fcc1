// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit;

import io.cutover.simulator.RolloutHarness;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives each test a fresh {@link RolloutHarness} and, after the test, fails
 * it if any task on the virtual scheduler threw (a bug that would otherwise pass silently).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final CutoverExtension cutover = CutoverExtension.create(b -> b.gate(myGate));
 *
 * @Test
 * void canary(RolloutHarness harness) { ... }   // or cutover.harness()
 * }</pre>
 *
 * <p>Register it as a static field; it is safe for sequential tests (one harness at a time).
 */
public final class CutoverExtension
    implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private final Consumer<RolloutHarness.Builder> setup;
  private @Nullable RolloutHarness harness;

  private CutoverExtension(Consumer<RolloutHarness.Builder> setup) {
    this.setup = setup;
  }

  /** An extension with a default harness per test. */
  public static CutoverExtension create() {
    return new CutoverExtension(b -> {});
  }

  /** An extension whose harness is configured by {@code setup} before each test. */
  public static CutoverExtension create(Consumer<RolloutHarness.Builder> setup) {
    return new CutoverExtension(setup);
  }

  /** The current test's harness. */
  public RolloutHarness harness() {
    RolloutHarness h = harness;
    if (h == null) {
      throw new IllegalStateException(
          "no harness: CutoverExtension gives one only while a test runs");
    }
    return h;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    RolloutHarness.Builder b = RolloutHarness.builder();
    setup.accept(b);
    harness = b.build();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    RolloutHarness h = harness;
    harness = null;
    if (h != null) {
      try {
        h.scheduler().assertNoTaskFailures();
      } finally {
        h.close();
      }
    }
  }

  @Override
  public boolean supportsParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == RolloutHarness.class;
  }

  @Override
  public Object resolveParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    return harness();
  }
}
