// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.api.plan.Plan;
import io.cutover.core.internal.schema.JournalCodec;
import io.cutover.core.internal.schema.JournalPayload;
import io.cutover.spi.Fleet;
import io.cutover.spi.HealthGate;
import io.cutover.spi.Journal;
import io.cutover.spi.Router;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * Everything a {@link RolloutRun} needs from its engine, wired once by {@link
 * io.cutover.core.Cutover}.
 *
 * @param providerExecutor where blocking provider calls run (the resilient callers and the engine's
 *     artifact pins)
 * @param onEnded called (on the rollout's mailbox) once a rollout reaches a terminal state; the
 *     rollout's completion completes when the returned stage does (the engine's artifact pins,
 *     updated on the provider executor)
 * @param revisionsAfterSuccess the revision history a successful end of a plan leaves, journaled in
 *     its ENDED record (called on the rollout's mailbox, just before)
 */
public record EngineContext(
    InstantSource clock,
    ScheduledExecutorService scheduler,
    Executor providerExecutor,
    Journal journal,
    Fleet fleet,
    Router router,
    Map<String, HealthGate> gates,
    ResilientCaller fleetCaller,
    ResilientCaller routerCaller,
    ResilientCaller gateCaller,
    EngineTelemetry telemetry,
    Function<RolloutRun, CompletionStage<Void>> onEnded,
    Function<Plan, JournalPayload.Revisions> revisionsAfterSuccess) {

  /**
   * The journal payload codec: the {@linkplain JournalCodec#shared() shared} one. Not a component
   * created with the engine: the codec class is large and its verification loads jackson-core
   * classes, none of which building an engine needs.
   */
  public JournalCodec codec() {
    return JournalCodec.shared();
  }
}
