// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

/**
 * A mutable tag reference, {@code repository:tag}. Never deployable: the only thing to do with a
 * tag is to resolve it to an {@link ArtifactRef} through {@link
 * io.cutover.spi.ArtifactStore#resolve(TagRef)}.
 *
 * @param repository the repository, optionally with a registry host
 * @param tag the tag, 1-128 characters of {@code [A-Za-z0-9_.-]} not starting with '.' or '-'
 */
public record TagRef(String repository, String tag) {
  /** Validates both parts. */
  public TagRef {
    Check.repository(repository, "tag.repository");
    Check.notNull(tag, "tag.tag");
    if (!Check.TAG.matcher(tag).matches()) {
      throw new InvalidSpecException(
          "tag.tag",
          "'" + tag + "' is not a valid tag",
          "use 1-128 letters, digits, '_', '.' or '-', not starting with '.' or '-'");
    }
  }

  /**
   * Parses {@code repository:tag}; a registry port ({@code host:5000/app:1.0}) is handled.
   *
   * @throws InvalidSpecException if there is no tag part or a part is invalid
   */
  public static TagRef parse(String text) {
    Check.notNull(text, "tag");
    int slash = text.lastIndexOf('/');
    int colon = text.lastIndexOf(':');
    if (colon <= slash || text.indexOf('@') >= 0) {
      throw new InvalidSpecException(
          "tag",
          "'" + text + "' is not of the form repository:tag",
          "write e.g. 'team/app:1.4.2'; digests are ArtifactRefs, not tags");
    }
    return new TagRef(text.substring(0, colon), text.substring(colon + 1));
  }

  static boolean looksLikeTag(String text) {
    int slash = text.lastIndexOf('/');
    int colon = text.lastIndexOf(':');
    return colon > slash && text.indexOf('@') < 0;
  }

  /** {@code repository:tag}. */
  @Override
  public String toString() {
    return repository + ":" + tag;
  }
}
