// SPDX-License-Identifier: Apache-2.0
package io.cutover.spec;

import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.Digest;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.TagRef;
import io.cutover.api.plan.Plan;
import io.cutover.core.Cutover;
import io.cutover.core.ProviderRegistry;
import io.cutover.core.Rollout;
import io.cutover.core.journal.FileJournal;
import io.cutover.core.journal.RolloutSummary;
import io.cutover.core.policy.VerificationPolicy;
import io.cutover.spi.ArtifactStore;
import io.cutover.spi.Journal;
import io.cutover.spi.PlanRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A spec made live: its providers created through a {@link ProviderRegistry}, its gates registered,
 * and a {@link Cutover} engine built from them — what a platform embeds to run spec-driven
 * rollouts, and what the {@code cutover plan} and {@code apply} commands use.
 *
 * <pre>{@code
 * CutoverSpec spec = CutoverSpec.parse(Path.of("cutover.yaml"));
 * try (SpecEngine engine = SpecEngine.open(spec, ProviderRegistry.create().withDiscovery())) {
 *   SpecPlan plan = engine.plan();          // resolve, verify, compile: no side effect
 *   Rollout rollout = engine.apply(plan);   // runs it
 * }
 * }</pre>
 *
 * <p><b>Errors.</b> {@link #open} throws a {@link SpecException} (located in the file) when a
 * provider is unknown or refuses its settings; nothing has been deployed then. {@link #plan()}
 * throws what the store and policy throw ({@code VerificationException}, {@code
 * ProviderException}); {@link #apply} throws what {@link Cutover#start} throws.
 *
 * <p><b>Threading.</b> Thread-safe, as the engine is. {@link #close()} closes the engine.
 */
public final class SpecEngine implements AutoCloseable {
  private final CutoverSpec spec;
  private final Cutover cutover;
  private final @Nullable ArtifactStore store;
  private final @Nullable Journal journal;
  private final List<Object> created;

  private SpecEngine(
      CutoverSpec spec,
      Cutover cutover,
      @Nullable ArtifactStore store,
      @Nullable Journal journal,
      List<Object> created) {
    this.spec = spec;
    this.cutover = cutover;
    this.store = store;
    this.journal = journal;
    this.created = created;
  }

  /**
   * Opens an engine with the builder's defaults; see {@link #open(CutoverSpec, ProviderRegistry,
   * Consumer)}.
   */
  public static SpecEngine open(CutoverSpec spec, ProviderRegistry registry) {
    return open(spec, registry, b -> {});
  }

  /**
   * Creates the spec's providers through {@code registry} and builds the engine: fleet, router,
   * store (with the verification policy) or, without a store, {@code allowUnverifiedArtifacts()};
   * the journal (default in-memory); every gate; the history limits and the spec's rollout options
   * as defaults. {@code customize} may set what a spec does not hold: clock, scheduler,
   * OpenTelemetry, listeners, {@code autoResume}.
   *
   * @throws SpecException if the registry lacks a provider or one refuses its settings
   */
  public static SpecEngine open(
      CutoverSpec spec, ProviderRegistry registry, Consumer<Cutover.Builder> customize) {
    Objects.requireNonNull(customize, "customize");
    spec.check(registry);
    // What this engine created, closed with it: the providers are the spec's, not the caller's
    // (a file journal keeps its directory locked until closed).
    List<Object> created = new ArrayList<>();
    try {
      Cutover.Builder b = Cutover.builder();
      ProviderSpec fleet = spec.fleet();
      ProviderSpec router = spec.router();
      b.fleet(add(created, registry.fleet(fleet.type(), fleet.config())));
      b.router(add(created, registry.router(router.type(), router.config())));
      ArtifactStore store = null;
      Optional<ProviderSpec> storeSpec = spec.store();
      if (storeSpec.isPresent()) {
        store =
            add(created, registry.artifactStore(storeSpec.get().type(), storeSpec.get().config()));
        b.artifactStore(store);
        spec.verification().ifPresent(b::verifier);
      } else {
        b.allowUnverifiedArtifacts();
      }
      Optional<ProviderSpec> journalSpec = spec.journal();
      Journal journal = null;
      if (journalSpec.isPresent()) {
        journal =
            add(created, registry.journal(journalSpec.get().type(), journalSpec.get().config()));
        b.journal(journal);
      }
      for (Map.Entry<String, ProviderSpec> g : spec.gates().entrySet()) {
        b.gate(add(created, registry.healthGate(g.getValue().type(), g.getValue().config())));
      }
      spec.historyLimit().ifPresent(b::historyLimit);
      spec.revisionHistoryLimit().ifPresent(l -> b.revisionHistoryLimit(spec.service(), l));
      b.defaultOptions(spec.options());
      customize.accept(b);
      return new SpecEngine(spec, b.build(), store, journal, created);
    } catch (RuntimeException e) {
      closeAll(created, e);
      if (e instanceof SpecException) {
        throw e;
      }
      if (e instanceof InvalidSpecException ise) {
        throw spec.locate(ise);
      }
      throw e;
    }
  }

  private static <T> T add(List<Object> created, T provider) {
    created.add(provider);
    return provider;
  }

  /** Closes, last created first, every created provider that is closeable. */
  private static void closeAll(List<Object> created, @Nullable Throwable primary) {
    RuntimeException failure = null;
    for (int i = created.size() - 1; i >= 0; i--) {
      if (created.get(i) instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          if (primary != null) {
            primary.addSuppressed(e);
          } else if (failure == null) {
            failure = new IllegalStateException("closing " + c.getClass().getSimpleName(), e);
          } else {
            failure.addSuppressed(e);
          }
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** The spec. */
  public CutoverSpec spec() {
    return spec;
  }

  /** The engine: status, history, abort, promote, rollback. */
  public Cutover cutover() {
    return cutover;
  }

  /**
   * The artifact to deploy: the spec's digest, or its tag resolved once through the store (the
   * digest is what the plan and journal record).
   */
  public ArtifactRef resolveArtifact() {
    Optional<ArtifactRef> digest = spec.digest();
    if (digest.isPresent()) {
      return digest.get();
    }
    TagRef tag = spec.tag().orElseThrow();
    // The parser refuses a tag without a store, so the store is there.
    return Objects.requireNonNull(store, "store").resolve(tag);
  }

  /**
   * The dry run: resolves the artifact, runs the verification policy (reads only), finds the
   * service's stable release and compiles the plan. Changes nothing: no provider is asked to
   * launch, route, retire or pin anything, and nothing is journaled.
   */
  public SpecPlan plan() {
    Release target = spec.release(resolveArtifact());
    List<String> evidence = List.of();
    Optional<VerificationPolicy> policy = spec.verification();
    if (policy.isPresent() && store != null) {
      evidence = policy.get().verify(target.artifact(), store);
    }
    Release stable = stable().orElse(null);
    Plan plan =
        stable != null && stable.id().equals(target.id())
            ? null
            : spec.strategy().plan(new PlanRequest(stable, target, spec.replicas()));
    return new SpecPlan(target, stable, plan, evidence);
  }

  /**
   * The service's stable release: the engine's, or, for an engine that did not recover the journal
   * ({@code autoResume(false)}, as a dry run must not continue open rollouts), the target of the
   * last rollout that succeeded in a file journal's history.
   */
  public Optional<Release> stable() {
    Optional<Release> known = cutover.stable(spec.service());
    if (known.isPresent() || !(journal instanceof FileJournal file)) {
      return known;
    }
    List<RolloutSummary> history = file.history(spec.service());
    for (int i = history.size() - 1; i >= 0; i--) {
      RolloutSummary s = history.get(i);
      if (s.succeeded() && s.artifact() != null && s.config() != null) {
        Release r =
            Release.of(
                spec.service(),
                ArtifactRef.parse(s.artifact()),
                new ConfigRef(Digest.parse(s.config())));
        // Only a summary that names exactly this release is trusted.
        return r.id().equals(s.target()) ? Optional.of(r) : Optional.empty();
      }
    }
    return Optional.empty();
  }

  /**
   * Starts the planned rollout with the spec's options; returns once it is journaled.
   *
   * @throws IllegalStateException if the plan found nothing to do ({@link SpecPlan#unchanged()})
   */
  public Rollout apply(SpecPlan plan) {
    return cutover.start(plan.requirePlan(), spec.options());
  }

  /** Plans and starts the rollout. */
  public Rollout apply() {
    return apply(plan());
  }

  /** Closes the engine, then the providers it created (journal, fleet, router, store, gates). */
  @Override
  public void close() {
    try {
      cutover.close();
    } finally {
      closeAll(created, null);
    }
  }
}
