// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

/**
 * A content-addressed artifact reference, {@code repository@sha256:...}: the only thing a rollout
 * can deploy. Immutable; equal references denote byte-identical content.
 *
 * @param repository the repository, optionally with a registry host, e.g. {@code
 *     registry:5000/team/app}
 * @param digest the content digest of the artifact (for OCI: the manifest digest)
 */
public record ArtifactRef(String repository, Digest digest) {
  /** Validates both parts. */
  public ArtifactRef {
    Check.repository(repository, "artifact.repository");
    Check.notNull(digest, "artifact.digest");
  }

  /**
   * Parses {@code repository@algorithm:hex}.
   *
   * @throws MutableReferenceException if the text is a tag reference such as {@code app:1.2}
   * @throws InvalidSpecException if it is neither
   */
  public static ArtifactRef parse(String text) {
    return parse(text, "artifact");
  }

  /** Like {@link #parse(String)}, naming {@code field} in errors. */
  public static ArtifactRef parse(String text, String field) {
    Check.notNull(text, field);
    int at = text.indexOf('@');
    if (at < 0) {
      if (TagRef.looksLikeTag(text)) {
        throw new MutableReferenceException(text, field);
      }
      throw new InvalidSpecException(
          field,
          "'" + text + "' has no '@digest' part",
          "write the reference as repository@sha256:<64 hex digits>");
    }
    String repository = text.substring(0, at);
    // "repo:tag@sha256:..." pins a tag to a digest; the digest wins and the tag is dropped.
    int slash = repository.lastIndexOf('/');
    int colon = repository.lastIndexOf(':');
    if (colon > slash) {
      repository = repository.substring(0, colon);
    }
    Check.repository(repository, field + ".repository");
    return new ArtifactRef(repository, Digest.parse(text.substring(at + 1), field + ".digest"));
  }

  /** {@code repository@algorithm:hex}. */
  @Override
  public String toString() {
    return repository + "@" + digest;
  }
}
