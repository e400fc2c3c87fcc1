// SPDX-License-Identifier: Apache-2.0
package io.cutover.core;

import io.cutover.api.plan.Plan;
import io.cutover.api.rollout.RolloutStatus;
import java.util.concurrent.CompletionStage;

/** A handle on one rollout started by {@link Cutover}. Thread-safe; cheap to keep. */
public interface Rollout {

  /** The rollout's id. */
  String id();

  /** The plan being executed. */
  Plan plan();

  /**
   * The options it runs with; a rollout recovered from the journal after a restart has the options
   * it was started with (deadline, initiator, annotations).
   */
  RolloutOptions options();

  /** A consistent snapshot of its state. */
  RolloutStatus status();

  /**
   * Completes with the final status once the rollout is SUCCEEDED or ABORTED; never completes
   * exceptionally.
   */
  CompletionStage<RolloutStatus> completion();
}
