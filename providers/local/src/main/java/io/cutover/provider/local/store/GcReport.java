// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.store;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import java.util.List;

/**
 * What one garbage collection removed.
 *
 * @param removedArtifacts artifacts no longer listed by the store
 * @param deletedBlobs blobs whose files were deleted (no artifact of any repository uses them any
 *     more)
 * @param bytesFreed the total size of the deleted blob files
 */
public record GcReport(
    List<ArtifactRef> removedArtifacts, List<Digest> deletedBlobs, long bytesFreed) {
  /** Copies the lists. */
  public GcReport {
    removedArtifacts = List.copyOf(removedArtifacts);
    deletedBlobs = List.copyOf(deletedBlobs);
  }
}
