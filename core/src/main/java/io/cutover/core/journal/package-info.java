/**
 * Journals for the engine's write-ahead log: {@link io.cutover.core.journal.FileJournal}, the durable,
 * tamper-evident embedded default (append-only segment files with CRC32C and a SHA-256 hash chain, group
 * commit, compaction into a snapshot and an audit history), its {@link io.cutover.core.journal.DurabilityMode},
 * the {@code file} {@link io.cutover.core.journal.FileJournalProvider}, the typed errors it raises
 * ({@link io.cutover.core.journal.JournalCorruptedException}, {@link io.cutover.core.journal.JournalLockedException})
 * and the {@link io.cutover.core.journal.RolloutSummary} that history queries return.
 */
@NullMarked
package io.cutover.core.journal;

import org.jspecify.annotations.NullMarked;
