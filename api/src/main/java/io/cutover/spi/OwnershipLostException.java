// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import io.cutover.api.ProviderException;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by a {@link Journal} shared by several engine replicas when this engine no longer owns the
 * rollout it appends for: its lease expired or another replica took the rollout over. Nothing was
 * written.
 *
 * <p>The engine stops driving that rollout here at once: no further record, no further effect, no
 * abort or rollback (the rollout is not failing, it moved). The new owner resumes it from the
 * journal with the same operation ids. The rollout's {@code completion()} on this engine completes
 * exceptionally with this exception.
 *
 * <p>Not retryable: the same engine can only get the rollout back by taking it over again.
 */
public class OwnershipLostException extends ProviderException {
  private static final long serialVersionUID = 1L;

  /**
   * @param provider the journal provider's name, e.g. {@code postgres}
   * @param operation what was refused, e.g. {@code append}
   * @param message what happened, without secrets
   * @param cause the underlying failure, if any
   */
  // The five-argument constructor is the one ProviderException keeps for subclasses.
  @SuppressWarnings("deprecation")
  public OwnershipLostException(
      String provider, String operation, String message, @Nullable Throwable cause) {
    super(provider, operation, message, false, cause);
  }
}
