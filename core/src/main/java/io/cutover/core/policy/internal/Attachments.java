// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.TagRef;
import io.cutover.core.policy.VerificationReason;
import io.cutover.spi.ArtifactStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Reads cosign's attachments of a digest through the {@link ArtifactStore} SPI only: the manifest
 * at tag {@code sha256-<hex>.<kind>} of the same repository, and its layers, each fetched by digest
 * (so the store verifies every byte). Works with any store that keeps that layout: an OCI registry,
 * the filesystem store, the testkit's in-memory store.
 */
public final class Attachments {
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The most read of an attachment manifest or of one layer (a signature payload, a DSSE envelope):
   * they come from the registry, which is not trusted for sizes. Real ones are kilobytes.
   */
  public static final int MAX_BYTES = 4 * 1024 * 1024;

  /** Thrown when an attachment layer cannot be used: too large, or absent from the registry. */
  public static class BadLayerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadLayerException(String message) {
      super(message);
    }
  }

  /** Thrown when an attachment layer is larger than {@link #MAX_BYTES}. */
  public static final class TooLargeException extends BadLayerException {
    private static final long serialVersionUID = 1L;

    TooLargeException(String message) {
      super(message);
    }
  }

  private Attachments() {}

  /** One layer of an attachment manifest. */
  public record Layer(
      int index, String mediaType, Digest digest, Map<String, String> annotations) {}

  /** An attachment manifest: where it was found and its layers. */
  public record Manifest(TagRef tag, ArtifactRef ref, List<Layer> layers) {}

  /** Thrown when an attachment manifest is not a manifest. */
  public static final class MalformedException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedException(String message) {
      super(message);
    }
  }

  /** The tag of an attachment kind ({@code sig}, {@code att}) of a digest. */
  public static TagRef tag(ArtifactRef subject, String kind) {
    return new TagRef(
        subject.repository(),
        subject.digest().algorithm().prefix() + "-" + subject.digest().hex() + "." + kind);
  }

  /**
   * The attachment manifest, or null if the tag does not exist.
   *
   * @throws MalformedException if what the tag points at is not a JSON manifest with layers
   */
  public static @Nullable Manifest find(ArtifactStore store, ArtifactRef subject, String kind)
      throws MalformedException {
    TagRef tag = tag(subject, kind);
    ArtifactRef ref;
    try {
      ref = store.resolve(tag);
    } catch (NoSuchElementException e) {
      return null;
    }
    byte[] body;
    try {
      body = read(store, ref);
    } catch (TooLargeException e) {
      throw new MalformedException(tag + ": " + e.getMessage());
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new MalformedException(
          tag + " (" + ref.digest().shortHex() + ") is not a JSON manifest");
    }
    if (root == null || !root.path("layers").isArray()) {
      throw new MalformedException(tag + " (" + ref.digest().shortHex() + ") has no layers");
    }
    List<Layer> layers = new ArrayList<>();
    int i = 0;
    for (JsonNode l : root.path("layers")) {
      Digest d;
      try {
        d = Digest.parse(l.path("digest").asText(""), "layer.digest");
      } catch (InvalidSpecException e) {
        throw new MalformedException(tag + " layer " + i + " has an invalid digest");
      }
      Map<String, String> annotations = new TreeMap<>();
      for (Map.Entry<String, JsonNode> e : l.path("annotations").properties()) {
        annotations.put(e.getKey(), e.getValue().asText());
      }
      layers.add(new Layer(i++, l.path("mediaType").asText(""), d, annotations));
    }
    return new Manifest(tag, ref, layers);
  }

  /**
   * The attachment manifest, or null after adding the failure line to {@code out}: {@code
   * malformed} if the tag points at something that is not a manifest, {@code missing} (with {@code
   * hint}) if the tag does not exist.
   */
  public static @Nullable Manifest findOrFail(
      ArtifactStore store,
      ArtifactRef subject,
      String kind,
      Outcome out,
      VerificationReason malformed,
      VerificationReason missing,
      String hint) {
    if (subject.digest().algorithm() != Digest.Algorithm.SHA256) {
      out.failures.add(
          missing.line(
              subject + ": cosign attaches signatures and attestations to sha256 digests only"));
      return null;
    }
    try {
      Manifest m = find(store, subject, kind);
      if (m == null) {
        out.failures.add(
            missing.line(
                "nothing attached to "
                    + subject
                    + ": tag "
                    + tag(subject, kind)
                    + " does not exist ("
                    + hint
                    + ")"));
      }
      return m;
    } catch (MalformedException e) {
      out.failures.add(malformed.line(String.valueOf(e.getMessage())));
      return null;
    }
  }

  /**
   * The bytes of a layer, exactly as stored (never re-serialized: signatures cover these bytes).
   *
   * @throws BadLayerException if the layer is larger than {@link #MAX_BYTES}, or the manifest names
   *     a layer the store does not have (a manifest is attacker-controlled data: a missing layer is
   *     a verdict on the attachment, not a store failure)
   */
  public static byte[] layer(ArtifactStore store, Manifest m, Layer layer) {
    ArtifactRef ref = new ArtifactRef(m.ref().repository(), layer.digest());
    try {
      return read(store, ref);
    } catch (NoSuchElementException e) {
      throw new BadLayerException(
          "layer " + ref.digest().shortHex() + " is named by the manifest but not in the registry");
    }
  }

  static byte[] read(ArtifactStore store, ArtifactRef ref) {
    try (InputStream in = store.fetch(ref)) {
      // Reads one byte past the limit at most, whatever the store streams.
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw new TooLargeException(
            ref.digest().shortHex()
                + " is larger than "
                + MAX_BYTES
                + " bytes, the most read of an attachment");
      }
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + ref + " failed", e);
    }
  }
}
