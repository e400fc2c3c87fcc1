// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.store.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cutover.api.Provenance;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The store's whole mutable state, serialized as {@code index.json}: repositories with their
 * artifacts and tag histories, pins and release histories. Plain mutable fields for Jackson; a
 * loaded instance is either private to one mutation or shared read-only with readers, never both.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class StoreIndex {
  /** Format version; a store refuses an index written by a newer version. */
  public static final int VERSION = 1;

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public int version = VERSION;
  public TreeMap<String, Repository> repositories = new TreeMap<>();

  /** Key: {@code repository@digest}; value: the reasons it is pinned. */
  public TreeMap<String, TreeSet<String>> pins = new TreeMap<>();

  /** Key: service; value: its releases, oldest first. */
  public TreeMap<String, List<ReleaseEntry>> releases = new TreeMap<>();

  /** One repository. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static final class Repository {
    /** Key: digest. */
    public TreeMap<String, Entry> artifacts = new TreeMap<>();

    /** Key: tag; value: every move, oldest first. */
    public TreeMap<String, List<TagEntry>> tags = new TreeMap<>();
  }

  /** One artifact of a repository. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static final class Entry {
    public String mediaType = "application/octet-stream";
    public long size;
    public @Nullable String created;
    public TreeMap<String, String> labels = new TreeMap<>();
    public @Nullable Provenance provenance;

    /** When the artifact entered this repository, from the store's clock. */
    public String added = "";

    /** Digests of other content of the same repository this artifact needs (manifest layers). */
    public List<String> references = new ArrayList<>();
  }

  /** One move of a tag. */
  public static final class TagEntry {
    public String digest = "";
    public String time = "";

    public TagEntry() {}

    public TagEntry(String digest, String time) {
      this.digest = digest;
      this.time = time;
    }
  }

  /** One release of a service. */
  public static final class ReleaseEntry {
    /** {@code repository@digest}. */
    public String artifact = "";

    public String time = "";

    public ReleaseEntry() {}

    public ReleaseEntry(String artifact, String time) {
      this.artifact = artifact;
      this.time = time;
    }
  }

  /** The repository, created if absent. */
  public Repository repository(String name) {
    return repositories.computeIfAbsent(name, n -> new Repository());
  }

  /** The current target digest of a tag, or null. */
  public static @Nullable String current(List<TagEntry> history) {
    return history.isEmpty() ? null : history.get(history.size() - 1).digest;
  }

  /** Parses an index. */
  public static StoreIndex parse(byte[] json) throws IOException {
    StoreIndex index = JSON.readValue(json, StoreIndex.class);
    if (index.version > VERSION) {
      throw new IOException(
          "index format version " + index.version + " is newer than this library's " + VERSION);
    }
    return index;
  }

  /** Serializes the index. */
  public byte[] toJson() throws IOException {
    return JSON.writeValueAsBytes(this);
  }

  /** Reads an OCI/Docker manifest or index and returns the digests it references. */
  public static List<String> referencesOf(String mediaType, byte[] content) {
    if (!mediaType.contains("manifest") && !mediaType.contains("image.index")) {
      return List.of();
    }
    List<String> refs = new ArrayList<>();
    try {
      Map<?, ?> doc = JSON.readValue(content, Map.class);
      addDigest(refs, doc.get("config"));
      for (String list : List.of("layers", "manifests")) {
        if (doc.get(list) instanceof List<?> items) {
          items.forEach(item -> addDigest(refs, item));
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not a manifest after all: an opaque artifact references nothing.
      return List.of();
    }
    return refs;
  }

  private static void addDigest(List<String> refs, @Nullable Object descriptor) {
    if (descriptor instanceof Map<?, ?> m && m.get("digest") instanceof String d) {
      refs.add(d);
    }
  }
}
