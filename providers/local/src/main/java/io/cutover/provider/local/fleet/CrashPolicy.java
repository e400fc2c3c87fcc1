// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet;

/**
 * What a {@link LocalProcessFleet} does when an instance's process exits without being asked to.
 */
public enum CrashPolicy {
  /**
   * Mark the instance FAILED and leave it so: the rollout's gates (for example {@link
   * FleetHealthGate}) see it and abort.
   */
  REPORT,
  /**
   * Start a new process in the same slot (same instance id and port, so routers need no change), up
   * to the fleet's restart limit; past it the instance is FAILED.
   */
  REPLACE
}
