// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

/** The lifecycle of one running unit of a release. */
public enum InstanceState {
  /** Launched, not yet ready to take traffic. */
  PENDING,
  /** Passed readiness; may take traffic. */
  READY,
  /** Taking no new traffic; finishing what it has. */
  DRAINING,
  /** Stopped on purpose. Terminal. */
  TERMINATED,
  /** Crashed, failed readiness, or runs a digest other than its release's. Terminal. */
  FAILED;

  /** Whether the instance will never run again. */
  public boolean isTerminal() {
    return this == TERMINATED || this == FAILED;
  }
}
