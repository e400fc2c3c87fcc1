// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A described artifact: its {@link ArtifactRef} plus what is known about the content (media type,
 * size, creation time, labels, provenance, signatures). Immutable and thread-safe; build it with
 * {@link #builder(ArtifactRef)}.
 */
public final class Artifact {
  private final ArtifactRef ref;
  private final String mediaType;
  private final long size;
  private final @Nullable Instant created;
  private final Map<String, String> labels;
  private final Provenance provenance;
  private final List<Signature> signatures;

  private Artifact(Builder b) {
    this.ref = b.ref;
    this.mediaType = b.mediaType;
    this.size = b.size;
    this.created = b.created;
    this.labels = Map.copyOf(b.labels);
    this.provenance = b.provenance;
    this.signatures = List.copyOf(b.signatures);
  }

  /** A builder for an artifact with the given reference. */
  public static Builder builder(ArtifactRef ref) {
    return new Builder(Check.notNull(ref, "artifact.ref"));
  }

  /** The content-addressed reference. */
  public ArtifactRef ref() {
    return ref;
  }

  /** Media type of the content, e.g. {@code application/vnd.oci.image.manifest.v1+json}. */
  public String mediaType() {
    return mediaType;
  }

  /** Size of the content in bytes, or -1 if unknown. */
  public long size() {
    return size;
  }

  /** When the artifact was built, if stated. */
  public @Nullable Instant created() {
    return created;
  }

  /** Labels (for OCI: {@code org.opencontainers.image.*} annotations and config labels). */
  public Map<String, String> labels() {
    return labels;
  }

  /** Provenance as stated by the build; {@link Provenance#NONE} when unknown. */
  public Provenance provenance() {
    return provenance;
  }

  /** Signatures found next to the artifact; not yet trusted. */
  public List<Signature> signatures() {
    return signatures;
  }

  /** A builder pre-filled with this artifact's fields. */
  public Builder toBuilder() {
    Builder b = new Builder(ref);
    b.mediaType = mediaType;
    b.size = size;
    b.created = created;
    b.labels.putAll(labels);
    b.provenance = provenance;
    b.signatures = signatures;
    return b;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof Artifact)) {
      return false;
    }
    Artifact a = (Artifact) o;
    return ref.equals(a.ref)
        && mediaType.equals(a.mediaType)
        && size == a.size
        && Objects.equals(created, a.created)
        && labels.equals(a.labels)
        && provenance.equals(a.provenance)
        && signatures.equals(a.signatures);
  }

  @Override
  public int hashCode() {
    return ref.hashCode();
  }

  @Override
  public String toString() {
    return "Artifact{" + ref + ", " + mediaType + ", " + size + " bytes}";
  }

  /** Builds an {@link Artifact}. Not thread-safe. */
  public static final class Builder {
    private final ArtifactRef ref;
    private String mediaType = "application/octet-stream";
    private long size = -1;
    private @Nullable Instant created;
    private final Map<String, String> labels = new TreeMap<>();
    private Provenance provenance = Provenance.NONE;
    private List<Signature> signatures = List.of();

    private Builder(ArtifactRef ref) {
      this.ref = ref;
    }

    /** Sets the media type. */
    public Builder mediaType(String mediaType) {
      this.mediaType = Check.notBlank(mediaType, "artifact.mediaType");
      return this;
    }

    /** Sets the size in bytes; must be at least -1 (unknown). */
    public Builder size(long size) {
      if (size < -1) {
        throw new InvalidSpecException(
            "artifact.size", "is " + size, "use the size in bytes, or -1 if unknown");
      }
      this.size = size;
      return this;
    }

    /** Sets the creation time. */
    public Builder created(@Nullable Instant created) {
      this.created = created;
      return this;
    }

    /** Adds one label. */
    public Builder label(String key, String value) {
      labels.put(
          Check.notBlank(key, "artifact.labels"), Check.notNull(value, "artifact.labels." + key));
      return this;
    }

    /** Adds labels. */
    public Builder labels(Map<String, String> labels) {
      labels.forEach(this::label);
      return this;
    }

    /** Sets the provenance. */
    public Builder provenance(Provenance provenance) {
      this.provenance = Check.notNull(provenance, "artifact.provenance");
      return this;
    }

    /** Sets the signatures found next to the artifact. */
    public Builder signatures(List<Signature> signatures) {
      this.signatures = List.copyOf(signatures);
      return this;
    }

    /** Builds the immutable artifact. */
    public Artifact build() {
      return new Artifact(this);
    }
  }
}
