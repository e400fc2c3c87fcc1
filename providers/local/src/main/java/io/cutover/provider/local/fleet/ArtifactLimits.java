// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet;

import io.cutover.api.InvalidSpecException;

/**
 * Caps on what a {@link LocalProcessFleet} copies out of the artifact store before it runs
 * anything: the size of a blob it fetches and, for a directory artifact, the number of tar entries
 * and the bytes they unpack to. An archive over a cap is refused with {@link
 * UnsafeArtifactException} before it fills the disk (a "tar bomb").
 *
 * @param maxEntries the most entries a directory artifact may hold (files, directories, links)
 * @param maxBytes the most bytes a blob may have, and the most its regular files may unpack to
 */
public record ArtifactLimits(int maxEntries, long maxBytes) {
  /** 100 000 entries and 4 GiB: far above a service's artifact, far below a full disk. */
  public static final ArtifactLimits DEFAULT = new ArtifactLimits(100_000, 4L << 30);

  /**
   * Validates the caps.
   *
   * @throws InvalidSpecException if a cap is not positive
   */
  public ArtifactLimits {
    if (maxEntries < 1) {
      throw new InvalidSpecException(
          "artifactLimits.maxEntries", "is " + maxEntries, "use 1 or more");
    }
    if (maxBytes < 1) {
      throw new InvalidSpecException("artifactLimits.maxBytes", "is " + maxBytes, "use 1 or more");
    }
  }
}
