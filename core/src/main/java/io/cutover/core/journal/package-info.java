// SPDX-License-Identifier: Apache-2.0
/**
 * Implementations of the {@link io.cutover.spi.Journal} SPI, the write-ahead log of rollouts and the store
 * of per-service leases. {@link io.cutover.core.journal.FileJournal} is the durable, tamper-evident embedded
 * default (append-only segment files with CRC32C and a SHA-256 hash chain, group commit, compaction into a
 * snapshot and an audit history), configured by its {@link io.cutover.core.journal.DurabilityMode} and
 * offered as the {@code file} {@link io.cutover.core.journal.FileJournalProvider}; it raises
 * {@link io.cutover.core.journal.JournalCorruptedException} and {@link io.cutover.core.journal.JournalLockedException},
 * and answers history queries with {@link io.cutover.core.journal.RolloutSummary}.
 * {@link io.cutover.core.journal.InMemoryJournal} keeps everything in the heap: for tests, simulations and
 * benchmarks, never for production, since it is not durable.
 */
@NullMarked
package io.cutover.core.journal;

import org.jspecify.annotations.NullMarked;
