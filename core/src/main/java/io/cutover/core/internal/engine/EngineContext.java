package io.cutover.core.internal.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.spi.Fleet;
import io.cutover.spi.HealthGate;
import io.cutover.spi.Journal;
import io.cutover.spi.Router;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * Everything a {@link RolloutRun} needs from its engine, wired once by {@link io.cutover.core.Cutover}.
 *
 * @param gateTimeout time limit of one gate evaluation; a gate that overruns counts as an ERROR
 * @param onEnded called (on the rollout's mailbox) once a rollout reaches a terminal state; the rollout's
 *     completion completes when the returned stage does (the engine's artifact pins, updated on the
 *     provider executor)
 */
public record EngineContext(InstantSource clock, ScheduledExecutorService scheduler, Executor providerExecutor,
    Journal journal, Fleet fleet, Router router, Map<String, HealthGate> gates, ResilientCaller fleetCaller,
    ResilientCaller routerCaller, ResilientCaller gateCaller, EngineTelemetry telemetry, ObjectMapper json,
    Duration gateTimeout, Function<RolloutRun, CompletionStage<Void>> onEnded) {}
