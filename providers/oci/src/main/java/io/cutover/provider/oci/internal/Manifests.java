// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.api.Digest;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.provider.oci.Platform;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** Reads OCI and Docker v2 manifests, indexes and image configs. Stateless. */
public final class Manifests {
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";

  /**
   * Every manifest media type: a registry that is not offered one may answer 404 or convert to
   * schema1, which has another digest.
   */
  public static final String ACCEPT =
      String.join(", ", OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST);

  static final ObjectMapper JSON = new ObjectMapper();

  private Manifests() {}

  /** A content descriptor. */
  public record Descriptor(
      String mediaType,
      Digest digest,
      long size,
      Map<String, String> annotations,
      @Nullable String os,
      @Nullable String architecture,
      @Nullable String variant) {
    String platform() {
      return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
  }

  /** A parsed manifest or index. */
  public record Manifest(
      String mediaType,
      @Nullable Descriptor config,
      List<Descriptor> layers,
      List<Descriptor> manifests,
      Map<String, String> annotations) {
    /** Whether this is an index (manifest list). */
    public boolean isIndex() {
      return mediaType.equals(OCI_INDEX)
          || mediaType.equals(DOCKER_LIST)
          || (config == null && !manifests.isEmpty());
    }

    /** The config and layers, or the child manifests of an index. */
    public List<Descriptor> children() {
      List<Descriptor> all = new ArrayList<>();
      if (config != null) {
        all.add(config);
      }
      all.addAll(layers);
      all.addAll(manifests);
      return all;
    }
  }

  /** What an image config says about the image. */
  public record Config(@Nullable Instant created, Map<String, String> labels) {}

  /**
   * Parses a manifest whose digest was already verified.
   *
   * @param contentType the response's Content-Type, used when the body names no media type
   * @throws ProviderException (not retryable) if the body is not a manifest
   */
  public static Manifest parse(byte[] body, @Nullable String contentType, String subject) {
    try {
      JsonNode root = JSON.readTree(body);
      if (root == null || !root.isObject()) {
        throw new IOException("not a JSON object");
      }
      String mediaType = text(root, "mediaType");
      if (mediaType == null) {
        mediaType = contentType == null ? OCI_MANIFEST : contentType.split(";")[0].trim();
      }
      Descriptor config = root.has("config") ? descriptor(root.get("config")) : null;
      return new Manifest(
          mediaType,
          config,
          descriptors(root.get("layers")),
          descriptors(root.get("manifests")),
          strings(root.get("annotations")));
    } catch (IOException | RuntimeException e) {
      if (e instanceof ProviderException pe) {
        throw pe;
      }
      throw ProviderException.permanent(
          "oci",
          "parse",
          subject
              + " is not a valid OCI/Docker manifest ("
              + e.getMessage()
              + "); fix: push a valid image manifest",
          e);
    }
  }

  /** Parses an image config blob; unknown or missing fields give nulls and empty labels. */
  public static Config parseConfig(byte[] body) {
    try {
      JsonNode root = JSON.readTree(body);
      Instant created = null;
      String c = text(root, "created");
      if (c != null) {
        try {
          created = Instant.parse(c);
        } catch (DateTimeParseException e) {
          created = OffsetDateTime.parse(c).toInstant();
        }
      }
      JsonNode labels = root.path("config").path("Labels");
      return new Config(created, strings(labels));
    } catch (IOException | RuntimeException e) {
      return new Config(null, Map.of());
    }
  }

  /** The child of an index that runs on {@code platform}. */
  public static Optional<Descriptor> select(Manifest index, Platform platform) {
    return index.manifests().stream()
        .filter(d -> platform.matches(d.os(), d.architecture(), d.variant()))
        .findFirst();
  }

  /** The platforms an index offers, for error messages. */
  public static List<String> platforms(Manifest index) {
    return index.manifests().stream().map(Descriptor::platform).toList();
  }

  private static List<Descriptor> descriptors(@Nullable JsonNode array) throws IOException {
    List<Descriptor> out = new ArrayList<>();
    if (array != null && array.isArray()) {
      for (JsonNode n : array) {
        out.add(descriptor(n));
      }
    }
    return out;
  }

  private static Descriptor descriptor(JsonNode n) throws IOException {
    String digest = text(n, "digest");
    if (digest == null) {
      throw new IOException("a descriptor has no digest");
    }
    Digest d;
    try {
      d = Digest.parse(digest, "descriptor.digest");
    } catch (InvalidSpecException e) {
      throw new IOException("descriptor digest '" + digest + "' is invalid", e);
    }
    JsonNode p = n.path("platform");
    return new Descriptor(
        String.valueOf(text(n, "mediaType")),
        d,
        n.path("size").asLong(-1),
        strings(n.get("annotations")),
        text(p, "os"),
        text(p, "architecture"),
        text(p, "variant"));
  }

  private static @Nullable String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || !v.isTextual() ? null : v.asText();
  }

  private static Map<String, String> strings(@Nullable JsonNode obj) {
    Map<String, String> out = new TreeMap<>();
    if (obj != null && obj.isObject()) {
      for (Map.Entry<String, JsonNode> e : obj.properties()) {
        if (e.getValue().isValueNode() && !e.getValue().isNull()) {
          out.put(e.getKey(), e.getValue().asText());
        }
      }
    }
    return out;
  }
}
