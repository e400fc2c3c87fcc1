// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import io.cutover.api.InvalidSpecException;

/**
 * The deterministic identity of one side effect. The engine derives it from the rollout and the
 * step, so after a crash the re-issued call carries the same id, and a provider that has already
 * performed it returns the earlier result instead of acting twice.
 *
 * <p><b>Opaque.</b> The format is not part of the contract and may change between versions:
 * providers compare ids for equality, store them, and log them, but never parse them. An effect
 * that a provider call splits into several parts names each with {@link #child(String)}, which is
 * deterministic too.
 *
 * @param value the id; non-blank, at most 256 characters, no whitespace
 */
public record OperationId(String value) {
  /**
   * Validates the id.
   *
   * @throws InvalidSpecException if it is blank, longer than 256 characters or contains whitespace
   */
  public OperationId {
    if (value == null || value.isBlank() || value.length() > 256 || hasWhitespace(value)) {
      throw new InvalidSpecException(
          "operationId",
          "'" + value + "' is not a valid operation id",
          "use 1-256 characters without whitespace");
    }
  }

  /**
   * The id of a named part of this operation, e.g. {@code op.child("prescale")} for scaling that
   * precedes a route. The same parent and name always give the same id; different names give
   * different ids, and none equals its parent.
   *
   * @param name the part's name: non-blank, no whitespace
   * @throws InvalidSpecException if the name is blank or has whitespace, or the id would exceed 256
   *     characters
   */
  public OperationId child(String name) {
    if (name == null || name.isBlank() || hasWhitespace(name)) {
      throw new InvalidSpecException(
          "operationId",
          "'" + name + "' is not a valid name for a part of " + value,
          "use a non-blank name without whitespace");
    }
    // The separator keeps the ids the engine journaled before child() existed (op + "-prescale").
    return new OperationId(value + "-" + name);
  }

  private static boolean hasWhitespace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return value;
  }
}
