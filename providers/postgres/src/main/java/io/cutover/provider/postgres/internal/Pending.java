// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres.internal;

import io.cutover.spi.JournalRecord;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * An append waiting for the writer: the record, its encoding, the fence it must pass (null for an
 * unfenced append) and the future the caller waits on.
 *
 * @param fenceKey the lease key whose token must be current, or null
 * @param fenceToken the token the appender holds (ignored without a key)
 */
public record Pending(
    JournalRecord record,
    byte[] body,
    @Nullable String fenceKey,
    long fenceToken,
    @Nullable String replica,
    CompletableFuture<JournalRecord> done) {}
