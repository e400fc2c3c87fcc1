// SPDX-License-Identifier: Apache-2.0
package io.cutover.spec;

import io.cutover.api.ArtifactRef;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.TagRef;
import io.cutover.api.plan.Plan;
import io.cutover.core.Cutover;
import io.cutover.core.ProviderRegistry;
import io.cutover.core.Rollout;
import io.cutover.core.policy.VerificationPolicy;
import io.cutover.spi.ArtifactStore;
import io.cutover.spi.PlanRequest;
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

  private SpecEngine(CutoverSpec spec, Cutover cutover, @Nullable ArtifactStore store) {
    this.spec = spec;
    this.cutover = cutover;
    this.store = store;
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
    try {
      Cutover.Builder b = Cutover.builder();
      ProviderSpec fleet = spec.fleet();
      ProviderSpec router = spec.router();
      b.fleet(registry.fleet(fleet.type(), fleet.config()));
      b.router(registry.router(router.type(), router.config()));
      ArtifactStore store = null;
      Optional<ProviderSpec> storeSpec = spec.store();
      if (storeSpec.isPresent()) {
        store = registry.artifactStore(storeSpec.get().type(), storeSpec.get().config());
        b.artifactStore(store);
        spec.verification().ifPresent(b::verifier);
      } else {
        b.allowUnverifiedArtifacts();
      }
      Optional<ProviderSpec> journal = spec.journal();
      if (journal.isPresent()) {
        b.journal(registry.journal(journal.get().type(), journal.get().config()));
      }
      for (Map.Entry<String, ProviderSpec> g : spec.gates().entrySet()) {
        b.gate(registry.healthGate(g.getValue().type(), g.getValue().config()));
      }
      spec.historyLimit().ifPresent(b::historyLimit);
      spec.revisionHistoryLimit().ifPresent(l -> b.revisionHistoryLimit(spec.service(), l));
      b.defaultOptions(spec.options());
      customize.accept(b);
      return new SpecEngine(spec, b.build(), store);
    } catch (SpecException e) {
      throw e;
    } catch (InvalidSpecException e) {
      throw spec.locate(e);
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
    Release stable = cutover.stable(spec.service()).orElse(null);
    Plan plan = spec.strategy().plan(new PlanRequest(stable, target, spec.replicas()));
    return new SpecPlan(target, stable, plan, evidence);
  }

  /** Starts the planned rollout with the spec's options; returns once it is journaled. */
  public Rollout apply(SpecPlan plan) {
    return cutover.start(plan.plan(), spec.options());
  }

  /** Plans and starts the rollout. */
  public Rollout apply() {
    return apply(plan());
  }

  @Override
  public void close() {
    cutover.close();
  }
}
