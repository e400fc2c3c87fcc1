// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator;

/**
 * Thrown inside an engine that a {@link RolloutHarness} has "crashed": the journal accepts no more
 * records and providers refuse every call, exactly as if the process had died after the last
 * durable record. An {@link Error}, so that the engine does not treat it as a provider failure it
 * could handle.
 */
public final class EngineCrash extends Error {
  private static final long serialVersionUID = 1L;

  EngineCrash(String message) {
    super(message, null, false, false);
  }
}
