// SPDX-License-Identifier: Apache-2.0
/**
 * How {@link io.cutover.core.journal.FileJournal} works inside, with no compatibility promise: the on-disk
 * framing (file headers; entries with length, CRC32C and the SHA-256 of the previous entry), the body
 * codec, the verifying reader with torn-tail recovery, the directory lock, the writer thread that does
 * group commit, the in-memory index, recovery on open, compaction into a snapshot, and the history file.
 */
@NullMarked
package io.cutover.core.journal.internal;

import org.jspecify.annotations.NullMarked;
