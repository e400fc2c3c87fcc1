// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator;

import io.cutover.api.Artifact;
import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.DigestMismatchException;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.TagRef;
import io.cutover.spi.ArtifactStore;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * An {@link ArtifactStore} in memory: content-addressed blobs per repository, movable tags, pins
 * with reasons, and garbage collection of what nothing keeps.
 *
 * <p>{@link #push} stores content under {@code repository@sha256(content)} and points a tag at it;
 * pushing other content under the same tag moves the tag. Metadata (media type, labels, provenance,
 * signatures, creation time) is whatever the push's {@code metadata} callback sets on the {@link
 * Artifact.Builder}; the size defaults to the content length. Pushing the same content again
 * replaces its metadata.
 *
 * <p>{@link #fetch} and {@link #verify} re-hash the stored bytes on every call, so {@link #corrupt}
 * shows how the code under test reacts to tampered content ({@link DigestMismatchException}).
 *
 * <p>{@link #list} orders newest push first. {@link #pin}/{@link #unpin} are idempotent per reason;
 * {@link #collectGarbage()} deletes every artifact that has neither a pin nor a tag.
 *
 * <p><b>Threading.</b> Thread-safe. <b>Errors.</b> {@link NoSuchElementException} for unknown tags
 * and artifacts, {@link InvalidSpecException} for invalid names and blank pin reasons.
 */
public final class InMemoryArtifactStore implements ArtifactStore {

  private static final class Stored {
    byte[] content;
    Artifact artifact;
    long pushed;
    final Set<String> pins = new TreeSet<>();

    Stored(byte[] content, Artifact artifact, long pushed) {
      this.content = content;
      this.artifact = artifact;
      this.pushed = pushed;
    }
  }

  private final Map<ArtifactRef, Stored> artifacts = new HashMap<>();
  private final Map<TagRef, ArtifactRef> tags = new LinkedHashMap<>();
  private long pushes;

  private InMemoryArtifactStore() {}

  /** An empty store. */
  public static InMemoryArtifactStore create() {
    return new InMemoryArtifactStore();
  }

  // ---------------------------------------------------------------- seeding

  /** Stores {@code content} and tags it; see {@link #push(String, String, byte[], Consumer)}. */
  public ArtifactRef push(String repository, String tag, byte[] content) {
    return push(repository, tag, content, b -> {});
  }

  /**
   * Stores {@code content} in {@code repository}, points {@code tag} at it and returns its
   * reference, {@code repository@sha256(content)}.
   *
   * @param metadata sets media type, labels, provenance, signatures or creation time on the
   *     description
   * @throws InvalidSpecException if the repository or tag is not a valid name
   */
  public ArtifactRef push(
      String repository, String tag, byte[] content, Consumer<Artifact.Builder> metadata) {
    TagRef tagRef = new TagRef(repository, tag);
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(metadata, "metadata");
    byte[] copy = content.clone();
    ArtifactRef ref = new ArtifactRef(repository, Digest.sha256(copy));
    Artifact.Builder builder = Artifact.builder(ref).size(copy.length);
    metadata.accept(builder);
    Artifact artifact = builder.build();
    synchronized (this) {
      Stored existing = artifacts.get(ref);
      if (existing == null) {
        artifacts.put(ref, new Stored(copy, artifact, ++pushes));
      } else {
        existing.artifact = artifact;
        existing.pushed = ++pushes;
      }
      tags.put(tagRef, ref);
    }
    return ref;
  }

  /**
   * Points a tag of the artifact's repository at an artifact already stored.
   *
   * @throws NoSuchElementException if the artifact is unknown
   */
  public synchronized void tag(ArtifactRef ref, String tag) {
    stored(ref);
    tags.put(new TagRef(ref.repository(), tag), ref);
  }

  // ---------------------------------------------------------------- the SPI

  @Override
  public synchronized ArtifactRef resolve(TagRef tag) {
    Objects.requireNonNull(tag, "tag");
    ArtifactRef ref = tags.get(tag);
    if (ref == null) {
      List<String> known =
          tags.keySet().stream()
              .filter(t -> t.repository().equals(tag.repository()))
              .map(TagRef::tag)
              .sorted()
              .toList();
      throw new NoSuchElementException(
          "tag "
              + tag
              + " not found; tags of "
              + tag.repository()
              + ": "
              + (known.isEmpty() ? "none" : known));
    }
    return ref;
  }

  @Override
  public synchronized Artifact describe(ArtifactRef ref) {
    return stored(ref).artifact;
  }

  @Override
  public InputStream fetch(ArtifactRef ref) {
    byte[] content;
    synchronized (this) {
      content = stored(ref).content.clone();
    }
    // The whole content is at hand, so it is verified before the first byte is handed out.
    ref.digest().verify(content, ref.toString());
    return new ByteArrayInputStream(content);
  }

  @Override
  public Artifact verify(ArtifactRef ref) {
    byte[] content;
    Artifact artifact;
    synchronized (this) {
      Stored s = stored(ref);
      content = s.content.clone();
      artifact = s.artifact;
    }
    ref.digest().verify(content, ref.toString());
    return artifact;
  }

  @Override
  public synchronized List<ArtifactRef> list(String repository) {
    Objects.requireNonNull(repository, "repository");
    List<Map.Entry<ArtifactRef, Stored>> found = new ArrayList<>();
    for (Map.Entry<ArtifactRef, Stored> e : artifacts.entrySet()) {
      if (e.getKey().repository().equals(repository)) {
        found.add(e);
      }
    }
    found.sort(
        Comparator.comparingLong((Map.Entry<ArtifactRef, Stored> e) -> e.getValue().pushed)
            .reversed());
    return found.stream().map(Map.Entry::getKey).toList();
  }

  @Override
  public synchronized void pin(ArtifactRef ref, String reason) {
    stored(ref).pins.add(requireReason(reason));
  }

  /**
   * Removes one reason; unknown artifacts and reasons are ignored, so that cleanup is always safe.
   */
  @Override
  public synchronized void unpin(ArtifactRef ref, String reason) {
    requireReason(reason);
    Stored s = artifacts.get(Objects.requireNonNull(ref, "ref"));
    if (s != null) {
      s.pins.remove(reason);
    }
  }

  // ---------------------------------------------------------------- inspection

  /** The reasons an artifact is pinned for, sorted; empty if none or unknown. */
  public synchronized Set<String> pins(ArtifactRef ref) {
    Stored s = artifacts.get(ref);
    return s == null ? Set.of() : Set.copyOf(s.pins);
  }

  /** Whether the store holds the artifact. */
  public synchronized boolean contains(ArtifactRef ref) {
    return artifacts.containsKey(ref);
  }

  /**
   * Deletes every artifact that has no pin and no tag pointing at it.
   *
   * @return the deleted references
   */
  public synchronized List<ArtifactRef> collectGarbage() {
    Set<ArtifactRef> tagged = Set.copyOf(tags.values());
    List<ArtifactRef> deleted = new ArrayList<>();
    artifacts
        .entrySet()
        .removeIf(
            e -> {
              boolean garbage = e.getValue().pins.isEmpty() && !tagged.contains(e.getKey());
              if (garbage) {
                deleted.add(e.getKey());
              }
              return garbage;
            });
    return deleted;
  }

  // ---------------------------------------------------------------- faults

  /**
   * Flips the first byte of the stored content (or adds one to empty content) without changing its
   * digest, as a tampered registry or a failing disk would: {@link #fetch} and {@link #verify} then
   * throw {@link DigestMismatchException}.
   *
   * @throws NoSuchElementException if the artifact is unknown
   */
  public synchronized void corrupt(ArtifactRef ref) {
    Stored s = stored(ref);
    if (s.content.length == 0) {
      s.content = new byte[] {0x2a};
    } else {
      s.content = s.content.clone();
      s.content[0] ^= (byte) 0xff;
    }
  }

  // ---------------------------------------------------------------- internals

  private Stored stored(ArtifactRef ref) {
    Stored s = artifacts.get(Objects.requireNonNull(ref, "ref"));
    if (s == null) {
      throw new NoSuchElementException(
          "artifact " + ref + " not found in the store; push it first or resolve a tag");
    }
    return s;
  }

  private static String requireReason(String reason) {
    if (reason == null || reason.isBlank()) {
      throw new InvalidSpecException(
          "reason", "is blank", "say why the artifact is kept, e.g. rollback-target:checkout");
    }
    return reason;
  }

  @Override
  public synchronized String toString() {
    return "InMemoryArtifactStore[" + artifacts.size() + " artifacts, " + tags.size() + " tags]";
  }
}
