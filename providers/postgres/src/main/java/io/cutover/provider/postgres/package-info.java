// SPDX-License-Identifier: Apache-2.0
/**
 * The {@code postgres} journal provider: a {@link io.cutover.spi.Journal} in PostgreSQL shared by
 * engine replicas, with ownership leases whose expiry is the database's clock, fencing tokens
 * checked on every fenced append, and replica heartbeats (docs/scale-out.md).
 */
@NullMarked
package io.cutover.provider.postgres;

import org.jspecify.annotations.NullMarked;
