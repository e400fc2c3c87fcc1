// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import java.time.Instant;
import java.util.Objects;

/**
 * An ownership lease: {@code replica} owns {@code key} (a rollout, a service) until {@code
 * expiresAt}, by the database's clock, unless it renews it.
 *
 * <p>{@code token} is the fencing token: every acquisition of the key, by any replica, gets a
 * higher one. A journal append made with a lease ({@link PostgresJournal#append(
 * io.cutover.spi.JournalRecord, Lease)}) is accepted only while its token is the key's current one.
 *
 * @param key what is owned, e.g. {@code rollout:checkout-1}
 * @param replica the owner's replica id
 * @param token the fencing token of this acquisition
 * @param expiresAt when it expires unless renewed (the database's clock)
 */
public record Lease(String key, String replica, long token, Instant expiresAt) {
  /** Validates the parts. */
  public Lease {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(replica, "replica");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}
