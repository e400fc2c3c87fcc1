// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.facade;

import io.cutover.core.internal.engine.RolloutRun;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The rollouts this engine drives: those being started (lease taken, not yet journaled) and those
 * running. A lease held by either is not stale. Thread-safe.
 */
public final class LiveRollouts {
  private final Map<String, RolloutRun> active = new ConcurrentHashMap<>();

  /** Rollouts between taking their lease and becoming active. */
  private final Set<String> starting = ConcurrentHashMap.newKeySet();

  /** A rollout took its lease and is being journaled. */
  public void starting(String rolloutId) {
    starting.add(rolloutId);
  }

  /** A rollout runs; call before {@link #doneStarting}, so it is never absent from both. */
  public void running(RolloutRun run) {
    active.put(run.id(), run);
    // A rollout that stood down (another replica of a shared journal owns it now) completes
    // exceptionally and never ends here: it is no longer this engine's.
    run.completion()
        .whenComplete(
            (st, e) -> {
              if (e != null) {
                active.remove(run.id(), run);
              }
            });
  }

  /** A rollout is no longer starting: it runs, or its start failed. */
  public void doneStarting(String rolloutId) {
    starting.remove(rolloutId);
  }

  /** A rollout ended. */
  public void ended(String rolloutId) {
    active.remove(rolloutId);
  }

  /** Whether the rollout is starting or running here, i.e. its lease is held by someone alive. */
  public boolean isLive(String rolloutId) {
    // starting before active: start adds to active before it removes from starting
    return starting.contains(rolloutId) || active.containsKey(rolloutId);
  }

  /** Whether the rollout runs here. */
  public boolean isRunning(String rolloutId) {
    return active.containsKey(rolloutId);
  }

  /** The running rollout, or null. */
  public @Nullable RolloutRun get(String rolloutId) {
    return active.get(rolloutId);
  }

  /** A snapshot of the running rollouts. */
  public Collection<RolloutRun> running() {
    return List.copyOf(active.values());
  }
}
