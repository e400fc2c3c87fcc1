// SPDX-License-Identifier: Apache-2.0
/**
 * The embedded, content-addressed filesystem {@link io.cutover.spi.ArtifactStore}: blobs under
 * {@code <root>/sha256/<hex>} written atomically and verified on every read, a tag index that keeps the
 * history of every tag move, pins and a retention policy that decide what garbage collection may
 * remove, and import of files and directories (as deterministic tar archives). Everything here is safe
 * for concurrent use by several threads and, through a file lock on the index, by several processes.
 */
@NullMarked
package io.cutover.provider.local.store;

import org.jspecify.annotations.NullMarked;
