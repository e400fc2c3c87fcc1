// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

/**
 * A mutable reference (a tag) was offered where only a content-addressed digest is allowed.
 *
 * <p>Cutover deploys by digest, never by tag: resolve the tag with {@link
 * io.cutover.spi.ArtifactStore#resolve(TagRef)} first and deploy the {@link ArtifactRef} it
 * returns.
 */
public class MutableReferenceException extends CutoverException {
  private static final long serialVersionUID = 1L;
  private final String reference;

  /**
   * @param reference the offending reference as given
   * @param where the field or argument that received it
   */
  public MutableReferenceException(String reference, String where) {
    super(
        where
            + ": '"
            + reference
            + "' is a mutable tag reference and cannot be deployed"
            + " (fix: resolve it with ArtifactStore.resolve(TagRef) and deploy the returned repository@sha256:... reference)");
    this.reference = reference;
  }

  /** The reference as it was given. */
  public String reference() {
    return reference;
  }
}
