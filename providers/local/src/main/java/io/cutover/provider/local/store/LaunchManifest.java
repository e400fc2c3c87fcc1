// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.api.CutoverException;
import io.cutover.api.Digest;
import io.cutover.api.InvalidSpecException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * How launch information travels under an artifact's digest: an OCI image manifest (media type
 * {@value #MEDIA_TYPE}, artifact type {@value #ARTIFACT_TYPE}) whose config blob ({@value
 * #CONFIG_MEDIA_TYPE}) holds the {@value #LABEL_PREFIX}{@code *} launch labels and whose single
 * layer is the content (a jar or a tar). The artifact reference names the manifest, so its digest
 * covers the manifest, which names config and content by digest: whoever can edit a store's index
 * cannot change what runs without changing the digest (and so meeting the verification policy
 * again).
 *
 * <p>The config blob is JSON: {@code {"launch":{"io.cutover.launch.kind":"jar", ...},
 * "labels":{...}, "created":"2026-..."}}: besides the launch labels it holds the artifact's other
 * labels and its creation time, which the verification policy reads ({@code maxAge}, {@code
 * forbiddenLabels}), so they are covered by the digest (and a signature over it) too. The manifest
 * and the config are written with sorted keys and no whitespace, so the same content and labels
 * always give the same digest.
 *
 * <p>Stateless and thread-safe. Parsing refuses anything but this exact shape with an {@link
 * InvalidSpecException} naming the artifact and the field.
 */
public final class LaunchManifest {
  /** Media type of the manifest (an OCI image manifest). */
  public static final String MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";

  /** The manifest's {@code artifactType}: a launchable Cutover artifact. */
  public static final String ARTIFACT_TYPE = "application/vnd.cutover.launchable.v1";

  /** Media type of the config blob holding the launch labels. */
  public static final String CONFIG_MEDIA_TYPE = "application/vnd.cutover.launch.config.v1+json";

  /** Labels with this prefix are launch information and go into the config blob. */
  public static final String LABEL_PREFIX = "io.cutover.launch.";

  /** The largest manifest or config blob a reader accepts, in bytes. */
  public static final int MAX_BYTES = 64 * 1024;

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private LaunchManifest() {}

  /**
   * A blob named by digest.
   *
   * @param mediaType its media type
   * @param digest its digest
   * @param size its size in bytes
   */
  public record Descriptor(String mediaType, Digest digest, long size) {}

  /**
   * A parsed manifest.
   *
   * @param config the config blob holding the launch labels
   * @param content the content (a jar or a tar)
   */
  public record Parsed(Descriptor config, Descriptor content) {}

  /** Whether a label is launch information. */
  public static boolean isLaunchLabel(String key) {
    return key.startsWith(LABEL_PREFIX);
  }

  /** The launch labels among {@code labels}, sorted. */
  public static Map<String, String> launchLabels(Map<String, String> labels) {
    Map<String, String> out = new TreeMap<>();
    labels.forEach(
        (k, v) -> {
          if (isLaunchLabel(k)) {
            out.put(k, v);
          }
        });
    return out;
  }

  /**
   * What a config blob holds.
   *
   * @param launch the launch labels
   * @param labels the artifact's other labels
   * @param created when the artifact was built, if known
   */
  public record Config(
      Map<String, String> launch, Map<String, String> labels, @Nullable Instant created) {
    /** Copies the maps. */
    public Config {
      launch = Map.copyOf(launch);
      labels = Map.copyOf(labels);
    }
  }

  /** The config blob for some launch labels, with no other labels and no creation time. */
  public static byte[] config(Map<String, String> launchLabels) {
    return config(new Config(launchLabels, Map.of(), null));
  }

  /** The config blob for a config. */
  public static byte[] config(Config config) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode launch = root.putObject("launch");
    new TreeMap<>(config.launch()).forEach(launch::put);
    ObjectNode labels = root.putObject("labels");
    new TreeMap<>(config.labels()).forEach(labels::put);
    if (config.created() != null) {
      root.put("created", config.created().toString());
    }
    return bytes(root);
  }

  /** The manifest naming a config blob and the content. */
  public static byte[] manifest(Descriptor config, Descriptor content) {
    ObjectNode root = JSON.createObjectNode();
    root.put("schemaVersion", 2);
    root.put("mediaType", MEDIA_TYPE);
    root.put("artifactType", ARTIFACT_TYPE);
    descriptor(root.putObject("config"), config);
    descriptor(root.putArray("layers").addObject(), content);
    return bytes(root);
  }

  /**
   * Whether {@code manifest} is a launch manifest (its {@code artifactType} is {@value
   * #ARTIFACT_TYPE}); any other OCI manifest a user stored is not. Never throws.
   */
  public static boolean isLaunchManifest(byte[] manifest) {
    // Most small blobs are not JSON at all (a jar): no parse for them.
    if (manifest.length == 0 || manifest[0] != '{') {
      return false;
    }
    try {
      JsonNode root = JSON.readTree(manifest);
      return root != null && ARTIFACT_TYPE.equals(root.path("artifactType").asText(null));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Parses a manifest of {@code artifact}.
   *
   * @throws InvalidSpecException if it is not a launch manifest of exactly this shape
   */
  public static Parsed parse(byte[] manifest, String artifact) {
    JsonNode root = tree(manifest, artifact, "manifest");
    if (!ARTIFACT_TYPE.equals(root.path("artifactType").asText(null))
        || !MEDIA_TYPE.equals(root.path("mediaType").asText(null))) {
      throw bad(
          artifact,
          "manifest.artifactType",
          "is not " + ARTIFACT_TYPE + " (an OCI image manifest of Cutover)");
    }
    Descriptor config = descriptor(root.path("config"), artifact, "manifest.config");
    if (!config.mediaType().equals(CONFIG_MEDIA_TYPE)) {
      throw bad(artifact, "manifest.config.mediaType", "is not " + CONFIG_MEDIA_TYPE);
    }
    JsonNode layers = root.path("layers");
    if (!layers.isArray() || layers.size() != 1) {
      throw bad(artifact, "manifest.layers", "must hold exactly one layer (the content)");
    }
    return new Parsed(config, descriptor(layers.get(0), artifact, "manifest.layers[0]"));
  }

  /**
   * Parses the config blob of {@code artifact} and returns its launch labels.
   *
   * @throws InvalidSpecException if it is not a launch config
   */
  public static Map<String, String> parseConfig(byte[] config, String artifact) {
    return parseLaunch(tree(config, artifact, "config").path("launch"), artifact);
  }

  /**
   * Parses the whole config blob of {@code artifact}: launch labels, other labels, creation time.
   *
   * @throws InvalidSpecException if it is not a launch config
   */
  public static Config parseFullConfig(byte[] config, String artifact) {
    JsonNode root = tree(config, artifact, "config");
    Map<String, String> launch = parseLaunch(root.path("launch"), artifact);
    Map<String, String> labels = new TreeMap<>();
    JsonNode l = root.path("labels");
    if (!l.isMissingNode()) {
      if (!l.isObject()) {
        throw bad(artifact, "config.labels", "is not an object");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = l.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isTextual()) {
          throw bad(artifact, "config.labels." + e.getKey(), "is not a string");
        }
        labels.put(e.getKey(), e.getValue().asText());
      }
    }
    Instant created = null;
    JsonNode c = root.path("created");
    if (!c.isMissingNode()) {
      try {
        created = Instant.parse(c.asText(""));
      } catch (DateTimeParseException e) {
        throw bad(artifact, "config.created", "is not an ISO-8601 instant");
      }
    }
    return new Config(launch, labels, created);
  }

  private static Map<String, String> parseLaunch(JsonNode launch, String artifact) {
    if (!launch.isObject()) {
      throw bad(artifact, "config.launch", "is missing or not an object");
    }
    Map<String, String> out = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = launch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!isLaunchLabel(e.getKey()) || !e.getValue().isTextual()) {
        throw bad(
            artifact,
            "config.launch",
            "holds '" + e.getKey() + "', which is not a " + LABEL_PREFIX + "* label with a string");
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  private static void descriptor(ObjectNode node, Descriptor d) {
    node.put("mediaType", d.mediaType());
    node.put("digest", d.digest().toString());
    node.put("size", d.size());
  }

  private static Descriptor descriptor(JsonNode node, String artifact, String where) {
    String mediaType = node.path("mediaType").asText(null);
    String digest = node.path("digest").asText(null);
    JsonNode size = node.path("size");
    if (mediaType == null || digest == null || !size.canConvertToLong() || size.asLong() < 0) {
      throw bad(artifact, where, "needs mediaType, digest and a non-negative size");
    }
    try {
      return new Descriptor(mediaType, Digest.parse(digest), size.asLong());
    } catch (CutoverException e) {
      throw bad(artifact, where + ".digest", "is not a digest: " + e.getMessage());
    }
  }

  private static JsonNode tree(byte[] json, String artifact, String what) {
    try {
      JsonNode root = JSON.readTree(json);
      if (root == null || !root.isObject()) {
        throw bad(artifact, what, "is not a JSON object");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw bad(artifact, what, "is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw bad(artifact, what, "cannot be read: " + e.getMessage());
    }
  }

  private static byte[] bytes(ObjectNode root) {
    try {
      return JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a tree of strings and numbers", e);
    }
  }

  private static InvalidSpecException bad(String artifact, String where, String problem) {
    return new InvalidSpecException(
        "artifact." + where,
        "of " + artifact + " " + problem,
        "rebuild the artifact with FilesystemArtifactStore (put, importFile, importDirectory with "
            + LABEL_PREFIX
            + "* labels), which writes a launch manifest");
  }
}
