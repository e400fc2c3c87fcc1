// SPDX-License-Identifier: Apache-2.0
/**
 * Implementation details of the filesystem artifact store: the on-disk index model, atomic file
 * writes, digest-verifying streams and the deterministic tar writer. No compatibility promise: use
 * {@link io.cutover.provider.local.store.FilesystemArtifactStore} instead.
 */
@NullMarked
package io.cutover.provider.local.store.internal;

import org.jspecify.annotations.NullMarked;
