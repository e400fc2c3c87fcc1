// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.store;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Provenance;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What the filesystem store records about content put into it, besides the content itself: media
 * type, creation time, labels and provenance. Immutable and thread-safe; start from {@link
 * #of(String)} and refine with the {@code with*} methods.
 *
 * @param mediaType the media type, e.g. {@code application/x-tar}
 * @param created when the artifact was built, if known
 * @param labels labels such as {@code org.opencontainers.image.source}
 * @param provenance where it came from, as stated by its build
 */
public record ArtifactMetadata(
    String mediaType,
    @Nullable Instant created,
    Map<String, String> labels,
    Provenance provenance) {

  /** Media type of an opaque file. */
  public static final String OCTET_STREAM = "application/octet-stream";

  /** Media type of an imported directory. */
  public static final String TAR = "application/x-tar";

  /** Validates and copies. */
  public ArtifactMetadata {
    if (mediaType == null || mediaType.isBlank()) {
      throw new InvalidSpecException(
          "metadata.mediaType",
          "is missing",
          "give the content's media type, e.g. " + OCTET_STREAM);
    }
    labels = Map.copyOf(new TreeMap<>(labels));
    if (provenance == null) {
      throw new InvalidSpecException(
          "metadata.provenance", "is missing", "use Provenance.NONE when unknown");
    }
  }

  /** Metadata with only a media type. */
  public static ArtifactMetadata of(String mediaType) {
    return new ArtifactMetadata(mediaType, null, Map.of(), Provenance.NONE);
  }

  /** A copy with a creation time. */
  public ArtifactMetadata withCreated(@Nullable Instant created) {
    return new ArtifactMetadata(mediaType, created, labels, provenance);
  }

  /** A copy with one more label (replacing a label of the same key). */
  public ArtifactMetadata withLabel(String key, String value) {
    if (key == null || key.isBlank() || value == null) {
      throw new InvalidSpecException(
          "metadata.labels",
          "has a blank key or a missing value",
          "give every label a non-blank key and a value");
    }
    Map<String, String> all = new TreeMap<>(labels);
    all.put(key, value);
    return new ArtifactMetadata(mediaType, created, all, provenance);
  }

  /** A copy with a provenance. */
  public ArtifactMetadata withProvenance(Provenance provenance) {
    return new ArtifactMetadata(mediaType, created, labels, provenance);
  }
}
