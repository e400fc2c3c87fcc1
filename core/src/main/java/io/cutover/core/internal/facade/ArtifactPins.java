// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.facade;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Release;
import io.cutover.api.plan.Plan;
import io.cutover.spi.ArtifactStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the artifacts a service may need protected from garbage collection, with one pin reason
 * each: {@code rollout:<id>} while a rollout runs, {@code stable:<service>} on the stable release,
 * and {@code rollback-target:<service>} on every release in the service's revision history (the
 * releases before the stable one that {@code rollback} can return to), for exactly as long as the
 * history keeps them.
 *
 * <p><b>Threading.</b> {@link #pinRollout} runs on the caller's thread (it is part of starting a
 * rollout, like verification). The updates at a rollout's end run on the provider executor, never
 * on the scheduler or a rollout's mailbox ({@code ArtifactStore.pin/unpin} take file locks and
 * rewrite indexes), one batch at a time in the order the rollouts ended. A failed update is logged,
 * never thrown: the rollout's outcome is already decided.
 */
public final class ArtifactPins {
  // Looked up when something is logged (failures only), not when the class loads: building a
  // Cutover does not initialize the logging backend.
  private static Logger log() {
    return LoggerFactory.getLogger(ArtifactPins.class);
  }

  /**
   * A completed stage, in a holder: initialising {@code CompletableFuture} (and with it the common
   * fork-join pool's classes) is no part of building an engine, whose pins are created with it.
   */
  private static final class Done {
    static final CompletableFuture<Void> FUTURE = CompletableFuture.completedFuture(null);
  }

  /** Pin reason prefix of the revisions (rollback targets) of a service. */
  public static final String ROLLBACK_TARGET = "rollback-target:";

  private final @Nullable ArtifactStore store;
  private final Executor providerExecutor;

  /**
   * The last submitted batch; the next one starts when it is done; null before the first. Guarded
   * by this.
   */
  private @Nullable CompletableFuture<Void> tail;

  public ArtifactPins(@Nullable ArtifactStore store, Executor providerExecutor) {
    this.store = store;
    this.providerExecutor = providerExecutor;
  }

  /** Pins a starting rollout's target for as long as it runs. Throws what the store throws. */
  public void pinRollout(Release target, String rolloutId) {
    if (store != null) {
      store.pin(target.artifact(), "rollout:" + rolloutId);
    }
  }

  /**
   * Updates the pins after a rollout ended: on success its target is pinned as stable, the old
   * stable loses that pin, and the rollback-target pins follow the revision history ({@code
   * retention}); in any case the rollout's own pin goes.
   *
   * @return completes once the store was called (or the update failed and was logged); never
   *     exceptionally
   */
  public CompletionStage<Void> ended(
      Plan plan,
      String rolloutId,
      boolean succeeded,
      ReleaseHistory.@Nullable Retention retention) {
    ArtifactStore s = store;
    if (s == null) {
      return Done.FUTURE;
    }
    String service = plan.service();
    Release stable = plan.stable();
    return submit(
        rolloutId,
        () -> {
          if (succeeded) {
            s.pin(plan.target().artifact(), "stable:" + service);
            if (stable != null && !stable.artifact().equals(plan.target().artifact())) {
              s.unpin(stable.artifact(), "stable:" + service);
            }
            if (retention != null) {
              apply(s, retention);
            }
          }
          s.unpin(plan.target().artifact(), "rollout:" + rolloutId);
        });
  }

  /**
   * Pins and unpins rollback targets as the revision history changed outside a rollout (adopt,
   * restart).
   */
  public CompletionStage<Void> retain(ReleaseHistory.Retention retention) {
    ArtifactStore s = store;
    if (s == null || retention.isEmpty()) {
      return Done.FUTURE;
    }
    return submit("revisions of " + retention.service(), () -> apply(s, retention));
  }

  private static void apply(ArtifactStore s, ReleaseHistory.Retention retention) {
    String reason = ROLLBACK_TARGET + retention.service();
    for (ArtifactRef a : retention.pin()) {
      s.pin(a, reason);
    }
    for (ArtifactRef a : retention.unpin()) {
      s.unpin(a, reason);
    }
  }

  private synchronized CompletionStage<Void> submit(String rolloutId, Runnable update) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    CompletableFuture<Void> previous = tail != null ? tail : Done.FUTURE;
    previous.whenComplete(
        (v, e) -> {
          try {
            providerExecutor.execute(
                () -> {
                  try {
                    update.run();
                  } catch (RuntimeException ex) {
                    log().warn("could not update pins for {}", rolloutId, ex);
                  } finally {
                    done.complete(null);
                  }
                });
          } catch (RejectedExecutionException ex) {
            log()
                .warn(
                    "could not update pins for {}: the provider executor refused the task (engine closed?)",
                    rolloutId);
            done.complete(null);
          }
        });
    tail = done;
    return done;
  }
}
