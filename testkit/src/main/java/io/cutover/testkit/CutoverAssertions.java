// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit;

import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.api.rollout.RolloutState;
import io.cutover.simulator.FakeRouter;
import io.cutover.simulator.RolloutResult;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.Assertions;

/**
 * AssertJ entry point for Cutover: one static import gives every {@code assertThat}, AssertJ's own
 * and {@code assertThat(RolloutResult)}.
 *
 * <pre>{@code
 * assertThat(result).wasAborted().endedWithAllTrafficOn(v1).routedToStableBeforeAnyRetire()
 *     .hasMaxExposure(v3, 10.0).rolledBackWithin(Duration.ofSeconds(1));
 * }</pre>
 */
public class CutoverAssertions extends Assertions {

  /** Assertions on a finished (or bounded) rollout run. */
  public static RolloutResultAssert assertThat(RolloutResult actual) {
    return new RolloutResultAssert(actual);
  }

  /** Fluent assertions on a {@link RolloutResult}. */
  public static final class RolloutResultAssert
      extends AbstractAssert<RolloutResultAssert, RolloutResult> {
    RolloutResultAssert(RolloutResult actual) {
      super(actual, RolloutResultAssert.class);
    }

    /** The rollout ended SUCCEEDED. */
    public RolloutResultAssert succeeded() {
      return hasState(RolloutState.SUCCEEDED);
    }

    /** The rollout ended ABORTED. */
    public RolloutResultAssert wasAborted() {
      return hasState(RolloutState.ABORTED);
    }

    /** The rollout is in this state. */
    public RolloutResultAssert hasState(RolloutState state) {
      isNotNull();
      if (actual.status().state() != state) {
        failWithMessage(
            "expected rollout %s to be %s but it is %s (reason: %s)%nevents:%n%s",
            actual.rollout().id(),
            state,
            actual.status().state(),
            actual.status().reason(),
            describe(actual.events()));
      }
      return this;
    }

    /** The abort reason contains the text. */
    public RolloutResultAssert hasReasonContaining(String text) {
      isNotNull();
      String reason = actual.status().reason();
      if (reason == null || !reason.contains(text)) {
        failWithMessage("expected the reason to contain <%s> but it was <%s>", text, reason);
      }
      return this;
    }

    /** The last applied split sends 100 % of traffic to the release. */
    public RolloutResultAssert endedWithAllTrafficOn(Release release) {
      isNotNull();
      Optional<TrafficSplit> last = actual.finalSplit();
      if (last.isEmpty() || last.get().weight(release.id()) != TrafficSplit.TOTAL) {
        failWithMessage(
            "expected the final split to send 100%% to %s but it was %s",
            release.id(), last.map(Object::toString).orElse("(nothing applied)"));
      }
      return this;
    }

    /** The release never had more than {@code percent} % of traffic. */
    public RolloutResultAssert hasMaxExposure(Release release, double percent) {
      isNotNull();
      int max = actual.maxExposure(release.id());
      if (max > Math.round(percent * 100)) {
        failWithMessage(
            "expected %s to get at most %s%% of traffic but it got %s%%",
            release.id(), percent, max / 100.0);
      }
      return this;
    }

    /** From the abort decision to 100 % stable took at most {@code d} of virtual time. */
    public RolloutResultAssert rolledBackWithin(Duration d) {
      isNotNull();
      Optional<Duration> t = actual.timeToRollback();
      if (t.isEmpty()) {
        failWithMessage(
            "expected a rollback to stable, but none happened; events:%n%s",
            describe(actual.events()));
      } else if (t.get().compareTo(d) > 0) {
        failWithMessage("expected traffic back on stable within %s but it took %s", d, t.get());
      }
      return this;
    }

    /**
     * No instance was retired while its release still received traffic, and no retired instance was
     * ever given to the router again: traffic always moved off a release before it was retired.
     */
    public RolloutResultAssert routedToStableBeforeAnyRetire() {
      isNotNull();
      List<FakeRouter.Violation> retired =
          actual.violations().stream()
              .filter(v -> v.kind() == FakeRouter.Violation.Kind.RETIRED_INSTANCE)
              .toList();
      if (!retired.isEmpty()) {
        failWithMessage("traffic was still routed to retired instances: %s", retired);
      }
      return this;
    }

    /**
     * The router saw no contract violation at all: no retired or not-ready instance given traffic,
     * and no unroutable split (weight above 0 for a release with no READY backend, e.g. a stable
     * release adopted without instances: use {@code RolloutHarness.adopt}).
     */
    public RolloutResultAssert hasNoRouterViolations() {
      isNotNull();
      if (!actual.violations().isEmpty()) {
        failWithMessage("router contract violations: %s", actual.violations());
      }
      return this;
    }

    /** An event of the type was emitted. */
    public RolloutResultAssert hasEvent(RolloutEvent.Type type) {
      isNotNull();
      if (actual.firstEvent(type).isEmpty()) {
        failWithMessage("expected an event %s; events:%n%s", type, describe(actual.events()));
      }
      return this;
    }

    /** No event of the type was emitted. */
    public RolloutResultAssert hasNoEvent(RolloutEvent.Type type) {
      isNotNull();
      Optional<RolloutEvent> e = actual.firstEvent(type);
      if (e.isPresent()) {
        failWithMessage("expected no event %s but got %s", type, e.get());
      }
      return this;
    }

    private static String describe(List<RolloutEvent> events) {
      StringBuilder sb = new StringBuilder();
      for (RolloutEvent e : events) {
        sb.append("  ")
            .append(e.time())
            .append(' ')
            .append(e.type())
            .append(' ')
            .append(e.message())
            .append('\n');
      }
      return sb.toString();
    }
  }
}
