// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.facade;

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
 * and {@code rollback-target:<service>} on the release before it, until the next release is stable.
 *
 * <p><b>Threading.</b> {@link #pinRollout} runs on the caller's thread (it is part of starting a
 * rollout, like verification). The updates at a rollout's end run on the provider executor, never
 * on the scheduler or a rollout's mailbox ({@code ArtifactStore.pin/unpin} take file locks and
 * rewrite indexes), one batch at a time in the order the rollouts ended. A failed update is logged,
 * never thrown: the rollout's outcome is already decided.
 */
public final class ArtifactPins {
  private static final Logger LOG = LoggerFactory.getLogger(ArtifactPins.class);
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final @Nullable ArtifactStore store;
  private final Executor providerExecutor;

  /** The last submitted batch; the next one starts when it is done. Guarded by this. */
  private CompletableFuture<Void> tail = DONE;

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
   * Updates the pins after a rollout ended: on success its target is pinned as stable and the old
   * stable as the rollback target, and {@code noLongerRollbackTarget} loses that pin; in any case
   * the rollout's own pin goes.
   *
   * @return completes once the store was called (or the update failed and was logged); never
   *     exceptionally
   */
  public CompletionStage<Void> ended(
      Plan plan, String rolloutId, boolean succeeded, @Nullable Release noLongerRollbackTarget) {
    ArtifactStore s = store;
    if (s == null) {
      return DONE;
    }
    String service = plan.service();
    Release stable = plan.stable();
    return submit(
        rolloutId,
        () -> {
          if (succeeded) {
            s.pin(plan.target().artifact(), "stable:" + service);
            if (stable != null) {
              s.unpin(stable.artifact(), "stable:" + service);
              s.pin(stable.artifact(), "rollback-target:" + service);
            }
            if (noLongerRollbackTarget != null) {
              s.unpin(noLongerRollbackTarget.artifact(), "rollback-target:" + service);
            }
          }
          s.unpin(plan.target().artifact(), "rollout:" + rolloutId);
        });
  }

  private synchronized CompletionStage<Void> submit(String rolloutId, Runnable update) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    tail.whenComplete(
        (v, e) -> {
          try {
            providerExecutor.execute(
                () -> {
                  try {
                    update.run();
                  } catch (RuntimeException ex) {
                    LOG.warn("could not update pins for {}", rolloutId, ex);
                  } finally {
                    done.complete(null);
                  }
                });
          } catch (RejectedExecutionException ex) {
            LOG.warn(
                "could not update pins for {}: the provider executor refused the task (engine closed?)",
                rolloutId);
            done.complete(null);
          }
        });
    tail = done;
    return done;
  }
}
