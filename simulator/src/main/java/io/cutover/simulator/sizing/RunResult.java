// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator.sizing;

/**
 * How one simulated rollout ended.
 *
 * @param outcome completed, aborted by a gate, or paused for a human
 * @param step index in the plan's steps of the step running when a gate decided, -1 if none
 * @param decidedMillis virtual milliseconds from the start to the deciding measurement (or to the
 *     end, for a completed rollout)
 * @param rolledBackMillis for an abort: when the candidate's traffic returned to the stable release
 * @param badRequests requests the candidate served until then (or until the end of the rollout)
 * @param badErrors errors among them
 */
record RunResult(
    Outcome outcome,
    int step,
    long decidedMillis,
    long rolledBackMillis,
    double badRequests,
    long badErrors) {

  /** How a run ended. */
  enum Outcome {
    COMPLETED,
    ABORTED,
    PAUSED
  }
}
