// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.api.Instance;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.Verdict;
import io.cutover.core.internal.schema.JournalPayload.EffectKind;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import io.cutover.spi.OperationId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A side effect on the world that {@link WriteAhead} journals before and after issuing it: what to
 * call, through which resilient caller, and what the rollout learns from the result.
 *
 * @param <R> what the provider call returns
 */
sealed interface Effect<R> {

  /** The kind, journaled in INTENT/DONE/FAILED and named in errors. */
  EffectKind kind();

  /** The resilient caller of the provider this effect calls. */
  ResilientCaller caller(EngineContext ctx);

  /**
   * The service the call acts on: the provider never sees two calls at once for it (the caller's
   * lane).
   */
  String service();

  /** The blocking provider call; runs on the provider executor. */
  R call(EngineContext ctx, OperationId op);

  /**
   * Records the result in the rollout's view when an abort arrived while the call was in flight, so
   * the rollback starts from what really happened.
   */
  void recordInterrupted(R result, FleetView view);

  /** Launch instances of a release. */
  record Launch(Release release, int replicas) implements Effect<List<Instance>> {
    @Override
    public String service() {
      return release.service();
    }

    @Override
    public EffectKind kind() {
      return EffectKind.LAUNCH;
    }

    @Override
    public ResilientCaller caller(EngineContext ctx) {
      return ctx.fleetCaller();
    }

    @Override
    public List<Instance> call(EngineContext ctx, OperationId op) {
      return ctx.fleet().launch(op, release, replicas);
    }

    @Override
    public void recordInterrupted(List<Instance> result, FleetView view) {
      if (!result.isEmpty()) {
        view.put(release.id(), result);
      }
    }
  }

  /** Scale a release to a number of instances. */
  record Scale(Release release, int replicas) implements Effect<List<Instance>> {
    @Override
    public String service() {
      return release.service();
    }

    @Override
    public EffectKind kind() {
      return EffectKind.SCALE;
    }

    @Override
    public ResilientCaller caller(EngineContext ctx) {
      return ctx.fleetCaller();
    }

    @Override
    public List<Instance> call(EngineContext ctx, OperationId op) {
      return ctx.fleet().scale(op, release, replicas);
    }

    @Override
    public void recordInterrupted(List<Instance> result, FleetView view) {
      if (!result.isEmpty()) {
        view.put(release.id(), result);
      }
    }
  }

  /** Apply a traffic split, then read it back: the result is the split the router reports. */
  record Route(String service, TrafficSplit split, Map<String, List<Instance>> backends)
      implements Effect<TrafficSplit> {
    @Override
    public EffectKind kind() {
      return EffectKind.ROUTE;
    }

    @Override
    public ResilientCaller caller(EngineContext ctx) {
      return ctx.routerCaller();
    }

    @Override
    public TrafficSplit call(EngineContext ctx, OperationId op) {
      ctx.router().apply(op, service, split, backends);
      TrafficSplit readBack = ctx.router().current(service).orElse(null);
      // The Router contract: read-back is exact, weights (zeros included), match rules in order
      // and the mirror. A router that silently drops an A/B rule or a mirror would otherwise let
      // the rollout judge a canary that never saw the traffic the plan says it sees.
      if (readBack == null || !readBack.equals(split)) {
        throw ProviderException.retryable(
            "router",
            "route",
            "read back "
                + readBack
                + " after applying "
                + split
                + (readBack == null ? "" : " (" + difference(split, readBack) + ")"));
      }
      return readBack;
    }

    /** Which parts of the split the router did not read back as applied, for the message. */
    static String difference(TrafficSplit wanted, TrafficSplit got) {
      List<String> parts = new ArrayList<>();
      if (!wanted.weights().equals(got.weights())) {
        parts.add("weights differ");
      }
      if (!wanted.rules().equals(got.rules())) {
        List<TrafficSplit.MatchRule> missing = new ArrayList<>(wanted.rules());
        missing.removeAll(got.rules());
        List<TrafficSplit.MatchRule> extra = new ArrayList<>(got.rules());
        extra.removeAll(wanted.rules());
        parts.add(
            missing.isEmpty() && extra.isEmpty()
                ? "match rules in another order"
                : "match rules differ (missing " + missing + ", unexpected " + extra + ")");
      }
      if (!Objects.equals(wanted.mirror(), got.mirror())) {
        parts.add("mirror is " + got.mirror() + ", not " + wanted.mirror());
      }
      return String.join("; ", parts);
    }

    @Override
    public void recordInterrupted(TrafficSplit result, FleetView view) {
      view.split(result);
    }
  }

  /** Retire every instance of a release. */
  record Retire(Release release) implements Effect<Boolean> {
    @Override
    public String service() {
      return release.service();
    }

    @Override
    public EffectKind kind() {
      return EffectKind.RETIRE;
    }

    @Override
    public ResilientCaller caller(EngineContext ctx) {
      return ctx.fleetCaller();
    }

    @Override
    public Boolean call(EngineContext ctx, OperationId op) {
      ctx.fleet().retire(op, release);
      return Boolean.TRUE;
    }

    @Override
    public void recordInterrupted(Boolean result, FleetView view) {
      // the rollback's own steps decide what to do about a retired release
    }
  }

  /** Stop sending new work to a release's instances. */
  record Drain(Release release) implements Effect<Boolean> {
    @Override
    public String service() {
      return release.service();
    }

    @Override
    public EffectKind kind() {
      return EffectKind.DRAIN;
    }

    @Override
    public ResilientCaller caller(EngineContext ctx) {
      return ctx.fleetCaller();
    }

    @Override
    public Boolean call(EngineContext ctx, OperationId op) {
      ctx.fleet().drain(op, release);
      return Boolean.TRUE;
    }

    @Override
    public void recordInterrupted(Boolean result, FleetView view) {
      // draining does not change which instances the rollback may route to
    }
  }

  /**
   * Run a migration through its gate: anything but PASS is a permanent failure (a migration is not
   * retried blindly; the gate itself may retry what is safe to retry).
   */
  record Migrate(String service, HealthGate gate, GateContext context) implements Effect<Verdict> {
    @Override
    public EffectKind kind() {
      return EffectKind.MIGRATE;
    }

    @Override
    public ResilientCaller caller(EngineContext ctx) {
      return ctx.gateCaller();
    }

    @Override
    public Verdict call(EngineContext ctx, OperationId op) {
      Verdict v = gate.evaluate(context);
      if (v == null || !v.passed()) {
        throw ProviderException.permanent(
            "gates", "migration " + context.phase() + " via " + gate.name(), "returned " + v);
      }
      return v;
    }

    @Override
    public void recordInterrupted(Verdict result, FleetView view) {
      // a migration changes nothing the rollback routes or retires
    }
  }
}
