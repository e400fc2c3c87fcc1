// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import org.jspecify.annotations.Nullable;

/**
 * Base of every exception Cutover throws on purpose. Unchecked: callers decide where to handle it.
 *
 * <p>Subclasses carry structured fields (paths, digests, provider names) so that a platform can
 * render or route an error without parsing its message.
 */
public class CutoverException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a complete, human-readable message. */
  public CutoverException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and the cause it wraps ({@code null} when there is none).
   */
  public CutoverException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
