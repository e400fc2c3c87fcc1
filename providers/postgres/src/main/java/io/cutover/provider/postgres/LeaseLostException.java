// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import io.cutover.spi.OwnershipLostException;
import org.jspecify.annotations.Nullable;

/**
 * A replica acted with a lease that is no longer current: it expired (by the database's clock) or
 * another replica acquired the key since, with a higher fencing token. Nothing was written. The
 * replica must stop driving what the lease covered; the new owner resumes it from the journal.
 *
 * <p>Not retryable: retrying with the same token can never succeed.
 */
public final class LeaseLostException extends OwnershipLostException {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final long token;
  private final @Nullable Long currentToken;

  /**
   * @param operation what was refused, e.g. {@code append}
   * @param key the lease key
   * @param token the token the caller held
   * @param currentToken the key's current token, or null if nobody holds it now
   */
  public LeaseLostException(String operation, String key, long token, @Nullable Long currentToken) {
    super(
        "postgres",
        operation,
        "lease "
            + key
            + " with fencing token "
            + token
            + " is no longer current ("
            + (currentToken == null
                ? "it expired and nobody holds it now"
                : "the key is held with token " + currentToken)
            + "): stop driving it, its new owner resumes it from the journal",
        null);
    this.key = key;
    this.token = token;
    this.currentToken = currentToken;
  }

  /** The lease key. */
  public String key() {
    return key;
  }

  /** The token the caller held. */
  public long token() {
    return token;
  }

  /** The key's current token, or null if nobody holds it. */
  public @Nullable Long currentToken() {
    return currentToken;
  }
}
