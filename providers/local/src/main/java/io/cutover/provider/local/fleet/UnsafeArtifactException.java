// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet;

import io.cutover.api.CutoverException;

/**
 * An artifact's content would reach outside its own directory, or is bigger than the fleet's {@link
 * ArtifactLimits}: a symbolic link whose target is absolute or leaves the artifact, an entry
 * written through a symbolic link, a hard link, a device or FIFO entry, a name with {@code ..}, a
 * start command outside the artifact, too many entries or bytes. Thrown before anything of the
 * artifact runs; never retryable, since the same content gives the same answer. The entry name
 * comes from the archive and is quoted with control characters escaped.
 */
public class UnsafeArtifactException extends CutoverException {
  private static final long serialVersionUID = 1L;
  private final String artifact;
  private final String entry;

  /**
   * @param artifact the artifact reference, {@code repo@sha256:...}
   * @param entry the offending entry or launch field, as a printable quote
   * @param problem what is wrong with it
   * @param fix how to build the artifact instead
   */
  public UnsafeArtifactException(String artifact, String entry, String problem, String fix) {
    super("refusing artifact " + artifact + ": " + entry + " " + problem + " (fix: " + fix + ")");
    this.artifact = artifact;
    this.entry = entry;
  }

  /** The artifact reference. */
  public String artifact() {
    return artifact;
  }

  /** The offending entry or launch field. */
  public String entry() {
    return entry;
  }
}
