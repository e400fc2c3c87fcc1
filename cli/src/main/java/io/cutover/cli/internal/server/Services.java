// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli.internal.server;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.RolloutConflictException;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.core.ProviderRegistry;
import io.cutover.core.Rollout;
import io.cutover.core.RolloutCommand;
import io.cutover.spec.CutoverSpec;
import io.cutover.spec.SpecEngine;
import io.cutover.spec.SpecPlan;
import io.cutover.spi.Journal;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.SharedJournal;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The server's engines: one {@link SpecEngine} per service (each spec names its own fleet, router
 * and gates), all on one shared journal (through a {@link ServiceJournal} view each), one
 * scheduler, one provider executor and one OpenTelemetry. Thread-safe: changes to the set of
 * engines are synchronized; the engines themselves are thread-safe.
 */
public final class Services implements AutoCloseable {
  /** How long a command waits for the replica driving the rollout. */
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);

  /**
   * What applying a spec did.
   *
   * @param service the service
   * @param diff the plan's diff lines, empty when unchanged
   * @param rollout the started rollout's status, or null when there was nothing to do
   */
  public record Applied(String service, List<String> diff, @Nullable RolloutStatus rollout) {}

  private final Journal journal;
  private final Supplier<ProviderRegistry> registry;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService providers;
  private final OpenTelemetry otel;
  private final Map<String, SpecEngine> engines = new TreeMap<>();
  private final Map<String, String> sources = new TreeMap<>();
  // Non-null when the journal is shared by server replicas (PostgreSQL): the one engine attached
  // to it, which hands takeovers and commands to the engine of each rollout's service.
  private final @Nullable ReplicaDispatcher dispatcher;

  /** Engines over {@code journal}; the caller owns the journal, executors and OpenTelemetry. */
  public Services(
      Journal journal,
      Supplier<ProviderRegistry> registry,
      ScheduledExecutorService scheduler,
      ExecutorService providers,
      OpenTelemetry otel) {
    this.journal = journal;
    this.registry = registry;
    this.scheduler = scheduler;
    this.providers = providers;
    this.otel = otel;
    if (journal instanceof SharedJournal shared) {
      this.dispatcher = new ReplicaDispatcher(shared);
      shared.attach(dispatcher);
    } else {
      this.dispatcher = null;
    }
  }

  /** Whether other server replicas share the journal (rollouts may run on any of them). */
  public boolean shared() {
    return dispatcher != null;
  }

  /**
   * Opens the engine of a spec loaded at start; it recovers the service's open rollouts from the
   * journal.
   *
   * @throws InvalidSpecException if the spec names its own journal or its service is already loaded
   */
  public synchronized void load(CutoverSpec spec, String source) {
    if (engines.containsKey(spec.service())) {
      throw new InvalidSpecException(
          spec.file() + ": $.service",
          "'" + spec.service() + "' is also the service of another spec",
          "give each service one spec file");
    }
    engines.put(spec.service(), open(spec));
    sources.put(spec.service(), source);
  }

  /**
   * Applies a spec posted to the API: a new service gets an engine; a known service whose spec
   * changed gets a new engine (its journal, and a fleet that adopts its instances, carry over),
   * unless it has an active rollout. Then plans and starts the rollout.
   *
   * @throws RolloutConflictException if the service has an active rollout
   */
  public Applied apply(CutoverSpec spec, String source) {
    SpecEngine engine;
    synchronized (this) {
      String service = spec.service();
      engine = engines.get(service);
      if (engine == null || !source.equals(sources.get(service))) {
        if (engine != null) {
          Optional<Rollout> active =
              engine.cutover().activeRollouts().stream()
                  .filter(r -> r.status().service().equals(service))
                  .findFirst();
          if (active.isPresent()) {
            throw new RolloutConflictException(service, active.get().id());
          }
        }
        // The old engine closes first: its providers may hold locks the new ones need (a
        // local-process fleet locks its work directory). A spec that fails to open brings the
        // old one back.
        SpecEngine fresh;
        if (engine != null) {
          CutoverSpec old = engine.spec();
          engine.close();
          engines.remove(service);
          try {
            fresh = open(spec);
          } catch (RuntimeException e) {
            engines.put(service, open(old));
            throw e;
          }
        } else {
          fresh = open(spec);
        }
        engine = fresh;
        engines.put(service, engine);
        sources.put(service, source);
      }
    }
    SpecPlan plan = engine.plan();
    if (plan.unchanged()) {
      return new Applied(spec.service(), List.of(), null);
    }
    Rollout rollout = engine.apply(plan);
    return new Applied(spec.service(), plan.diff(), rollout.status());
  }

  private SpecEngine open(CutoverSpec spec) {
    if (spec.journal().isPresent()) {
      throw new InvalidSpecException(
          spec.file() + ": $.providers.journal",
          "is set, but the server records every service in its own journal",
          "remove providers.journal from the spec (the server's config names the journal)");
    }
    ServiceJournal view =
        dispatcher != null
            ? new SharedServiceJournal((SharedJournal) journal, spec.service(), dispatcher)
            : new ServiceJournal(journal, spec.service());
    return SpecEngine.open(
        spec,
        registry.get(),
        b -> b.journal(view).scheduler(scheduler).providerExecutor(providers).openTelemetry(otel));
  }

  /** The services with an engine, sorted. */
  public synchronized List<String> services() {
    return List.copyOf(engines.keySet());
  }

  /** The engine of a service. */
  public synchronized Optional<SpecEngine> engine(String service) {
    return Optional.ofNullable(engines.get(service));
  }

  /** Every active rollout, by service. */
  public List<RolloutStatus> active() {
    List<RolloutStatus> out = new ArrayList<>();
    for (SpecEngine e : snapshot()) {
      e.cutover().activeRollouts().forEach(r -> out.add(r.status()));
    }
    return out;
  }

  /**
   * The engine that owns a rollout: the one running it or holding it in its history, else the
   * engine of the service the journal names for it.
   */
  public Optional<SpecEngine> owner(String rolloutId) {
    for (SpecEngine e : snapshot()) {
      if (e.cutover().status(rolloutId).isPresent()) {
        return Optional.of(e);
      }
    }
    List<JournalRecord> records = journal.records(rolloutId);
    return records.isEmpty() ? Optional.empty() : engine(records.get(0).service());
  }

  /** The replica driving the active rollout of {@code service}, if the journal says. */
  public Optional<String> ownerReplica(String service) {
    return journal.leaseHolderReplica(service);
  }

  /** The journal's records of a rollout. */
  public List<JournalRecord> records(String rolloutId) {
    return journal.records(rolloutId);
  }

  /**
   * Aborts every active rollout of the services this server runs, and with a shared journal also
   * those another replica drives (found through each service's lease), through the replica that
   * drives each; returns their ids once each owner applied the abort.
   *
   * @throws io.cutover.api.ProviderException if an owner did not answer in time
   */
  public List<String> abortAll(String reason) {
    Map<String, SpecEngine> targets = new LinkedHashMap<>();
    for (SpecEngine e : snapshot()) {
      for (Rollout r : e.cutover().activeRollouts()) {
        targets.put(r.id(), e);
      }
      if (dispatcher != null) {
        journal.leaseHolder(e.spec().service()).ifPresent(id -> targets.putIfAbsent(id, e));
      }
    }
    Map<String, CompletableFuture<Void>> sent = new LinkedHashMap<>();
    targets.forEach((id, e) -> sent.put(id, e.cutover().command(id, RolloutCommand.ABORT, reason)));
    List<String> ids = new ArrayList<>();
    for (Map.Entry<String, CompletableFuture<Void>> f : sent.entrySet()) {
      if (await(f.getKey(), f.getValue())) {
        ids.add(f.getKey());
      }
    }
    return ids;
  }

  /**
   * Gives a rollout a command through the engine of its service: applied here if it runs here, else
   * sent through the shared journal to the replica that drives it; returns once it was applied.
   *
   * @throws InvalidSpecException if no engine drives the rollout (unknown or ended) or it refused
   * @throws io.cutover.api.ProviderException if the owner did not answer in time
   */
  public void command(SpecEngine engine, String rolloutId, RolloutCommand command, String reason) {
    CompletableFuture<Void> f = engine.cutover().command(rolloutId, command, reason);
    if (!await(rolloutId, f)) {
      throw new InvalidSpecException(
          "rolloutId",
          "'" + rolloutId + "' has ended, so there is nothing to " + command.wireName(),
          "see 'cutover history' for how it ended");
    }
  }

  /** Waits for a command; false if the rollout had ended (nothing to do). */
  private static boolean await(String rolloutId, CompletableFuture<Void> f) {
    try {
      f.get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof InvalidSpecException) {
        return false; // it ended between the listing and the command
      }
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
    } catch (TimeoutException e) {
      throw ProviderException.retryable(
          "server",
          "command",
          "the replica driving "
              + rolloutId
              + " did not apply the command within "
              + COMMAND_TIMEOUT.toSeconds()
              + " s; it may be paused or cut off from the database: retry, its lease expires"
              + " and another replica takes the rollout over",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ProviderException.retryable("server", "command", "interrupted", e);
    }
  }

  private synchronized List<SpecEngine> snapshot() {
    return List.copyOf(engines.values());
  }

  /** Closes every engine (rollouts stop where they are, durable in the journal). */
  @Override
  public synchronized void close() {
    RuntimeException failure = null;
    for (SpecEngine e : engines.values()) {
      try {
        e.close();
      } catch (RuntimeException ex) {
        if (failure == null) {
          failure = ex;
        } else {
          failure.addSuppressed(ex);
        }
      }
    }
    engines.clear();
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return "Services" + Objects.requireNonNull(services());
  }
}
