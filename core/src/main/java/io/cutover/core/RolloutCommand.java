// SPDX-License-Identifier: Apache-2.0
package io.cutover.core;

import io.cutover.api.InvalidSpecException;
import java.util.Arrays;
import java.util.Locale;

/**
 * A command for a running rollout, as {@link Cutover#command} sends it: on an engine replica that
 * does not drive the rollout it travels to the one that does (see {@code docs/scale-out.md}).
 */
public enum RolloutCommand {
  /** {@link Cutover#abort}; the command's argument is the reason. */
  ABORT,
  /** {@link Cutover#pause}. */
  PAUSE,
  /** {@link Cutover#resume}. */
  RESUME,
  /** {@link Cutover#approve}. */
  APPROVE,
  /** {@link Cutover#promote(String)}. */
  PROMOTE,
  /** {@link Cutover#promote(String, boolean) promote(id, true)}. */
  PROMOTE_FULL;

  /** The name on the wire: lower case, {@code -} for {@code _}, e.g. {@code promote-full}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The command with this wire name.
   *
   * @throws InvalidSpecException if there is none
   */
  public static RolloutCommand parse(String wireName) {
    for (RolloutCommand c : values()) {
      if (c.wireName().equals(wireName)) {
        return c;
      }
    }
    throw new InvalidSpecException(
        "command",
        "'" + wireName + "' is not a rollout command",
        "use one of " + Arrays.stream(values()).map(RolloutCommand::wireName).toList());
  }
}
