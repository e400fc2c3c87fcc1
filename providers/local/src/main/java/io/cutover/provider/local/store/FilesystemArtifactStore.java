// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.store;

import io.cutover.api.Artifact;
import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.DigestMismatchException;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Provenance;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.api.TagRef;
import io.cutover.provider.local.store.internal.AtomicFiles;
import io.cutover.provider.local.store.internal.DeterministicTar;
import io.cutover.provider.local.store.internal.StoreIndex;
import io.cutover.provider.local.store.internal.VerifyingInputStream;
import io.cutover.spi.ArtifactStore;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The embedded default {@link ArtifactStore}: content-addressed blobs on a local file system.
 *
 * <p><b>Layout.</b> Under the root directory: {@code sha256/<hex>} holds each blob once, read-only,
 * written through a temp file that is forced to disk and renamed into place; {@code index.json}
 * holds repositories, artifacts, the full history of every tag, pins and release histories,
 * replaced atomically on every change; {@code tmp/} holds writes in progress.
 *
 * <p><b>Launch information.</b> Content put with {@value LaunchManifest#LABEL_PREFIX}{@code *}
 * labels becomes a {@link LaunchManifest}: the labels live in a content-addressed config blob under
 * the artifact's digest, not in {@code index.json}. {@link #fetch} also serves the blobs an
 * artifact of the repository references (a manifest's config and content), by their own digests.
 *
 * <p><b>Integrity.</b> {@link #fetch} hashes while it streams and throws {@link
 * DigestMismatchException} at the end if the blob was modified on disk; {@link #verify} hashes a
 * blob and everything it references before returning.
 *
 * <p><b>Tags.</b> {@link #tag} records each move with its time ({@link #tagHistory}); a tag is only
 * ever an input to {@link #resolve}.
 *
 * <p><b>Retention.</b> {@link #recordRelease} keeps a per-service release history and pins the
 * previous release as {@code rollback-target:<service>} until {@link #markStable} declares the new
 * one stable; {@link #collectGarbage} removes only artifacts that are not pinned, not tagged, not
 * among the last releases of a service and not referenced by anything kept, and then only blobs
 * nothing uses.
 *
 * <p><b>Threading.</b> Safe for concurrent use. Mutations are serialized by a lock per root
 * directory within the JVM and by a file lock on {@code index.lock} across processes; reads never
 * block on mutations, they see the last committed index.
 *
 * <p><b>Errors.</b> Unknown tags and artifacts: {@link NoSuchElementException}; corrupted content:
 * {@link DigestMismatchException}; bad arguments: {@link InvalidSpecException}; file system
 * failures: {@link ProviderException} with provider {@code filesystem}, not retryable.
 */
public final class FilesystemArtifactStore implements ArtifactStore {
  /** The provider name used in errors and for {@link java.util.ServiceLoader} registration. */
  public static final String PROVIDER = "filesystem";

  /** Pin reason prefix for the release a rollback would return to. */
  public static final String ROLLBACK_TARGET = "rollback-target:";

  private static final ConcurrentHashMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();
  // Cosign puts signatures and attestations of sha256:<hex> at these tags of the same repository.
  private static final Pattern ATTACHMENT_TAG =
      Pattern.compile("^sha256-([0-9a-f]{64})\\.(sig|att)$");

  private final Path root;
  private final Path blobDir;
  private final Path tmpDir;
  private final Path indexFile;
  private final Path lockFile;
  private final InstantSource clock;
  private final ReentrantLock lock;
  private volatile Snapshot snapshot = new Snapshot(null, new StoreIndex());

  private record Snapshot(@Nullable Object key, StoreIndex index) {}

  private FilesystemArtifactStore(Path root, InstantSource clock) throws IOException {
    Files.createDirectories(root);
    this.root = root.toRealPath();
    this.blobDir = Files.createDirectories(this.root.resolve("sha256"));
    this.tmpDir = Files.createDirectories(this.root.resolve("tmp"));
    this.indexFile = this.root.resolve("index.json");
    this.lockFile = this.root.resolve("index.lock");
    this.clock = clock;
    this.lock = LOCKS.computeIfAbsent(this.root, r -> new ReentrantLock());
  }

  /** Opens (creating if needed) a store at {@code root} with the system clock. */
  public static FilesystemArtifactStore open(Path root) {
    return builder(root).build();
  }

  /** A builder for a store at {@code root}. */
  public static Builder builder(Path root) {
    return new Builder(Objects.requireNonNull(root, "root"));
  }

  /** The root directory. */
  public Path root() {
    return root;
  }

  // ---------------------------------------------------------------- ArtifactStore

  @Override
  public ArtifactRef resolve(TagRef tag) {
    StoreIndex.Repository repo = read().repositories.get(tag.repository());
    List<StoreIndex.TagEntry> history = repo == null ? null : repo.tags.get(tag.tag());
    if (history == null || history.isEmpty()) {
      throw new NoSuchElementException(
          "tag "
              + tag
              + " does not exist in the filesystem store at "
              + root
              + (repo == null ? " (no such repository)" : "; its tags are " + repo.tags.keySet()));
    }
    return new ArtifactRef(tag.repository(), Digest.parse(StoreIndex.current(history), "digest"));
  }

  @Override
  public Artifact describe(ArtifactRef ref) {
    return toArtifact(ref, entry(read(), ref));
  }

  @Override
  public InputStream fetch(ArtifactRef ref) {
    requireFetchable(read(), ref);
    Path blob = blobPath(ref.digest());
    try {
      return new VerifyingInputStream(Files.newInputStream(blob), ref.digest(), blob.toString());
    } catch (NoSuchFileException e) {
      throw missingBlob(ref, blob, e);
    } catch (IOException e) {
      throw failure("fetch", "cannot read " + blob, e);
    }
  }

  @Override
  public Artifact verify(ArtifactRef ref) {
    StoreIndex index = read();
    StoreIndex.Entry entry = entry(index, ref);
    hashBlob(ref, ref.digest());
    for (String reference : entry.references) {
      hashBlob(ref, Digest.parse(reference));
    }
    return toArtifact(ref, entry);
  }

  @Override
  public List<ArtifactRef> list(String repository) {
    StoreIndex.Repository repo = read().repositories.get(repository);
    if (repo == null) {
      return List.of();
    }
    return repo.artifacts.entrySet().stream()
        // Instants, not their strings: Instant.toString() drops a zero fraction, so strings
        // misorder.
        .sorted(
            Comparator.comparing(
                    (Map.Entry<String, StoreIndex.Entry> e) -> Instant.parse(e.getValue().added))
                .reversed()
                .thenComparing(Map.Entry::getKey))
        .map(e -> new ArtifactRef(repository, Digest.parse(e.getKey())))
        .toList();
  }

  @Override
  public void pin(ArtifactRef ref, String reason) {
    requireReason(reason);
    change(
        "pin",
        index -> {
          entry(index, ref);
          index.pins.computeIfAbsent(ref.toString(), k -> new TreeSet<>()).add(reason);
          return;
        });
  }

  @Override
  public void unpin(ArtifactRef ref, String reason) {
    requireReason(reason);
    change(
        "unpin",
        index -> {
          TreeSet<String> reasons = index.pins.get(ref.toString());
          if (reasons != null && reasons.remove(reason) && reasons.isEmpty()) {
            index.pins.remove(ref.toString());
          }
          return;
        });
  }

  // ---------------------------------------------------------------- content in

  /**
   * Stores content as an artifact of {@code repository} and returns its reference. Putting the same
   * content into the same repository again returns the same reference and keeps the first metadata.
   *
   * <p>Launch labels ({@value LaunchManifest#LABEL_PREFIX}{@code *}, read by the local-process
   * fleet) are not kept in the mutable index: the content, a config blob holding them and a {@link
   * LaunchManifest} naming both are stored, and the returned reference names the manifest, so its
   * digest covers what runs. The same holds for {@link #importFile} and {@link #importDirectory}.
   *
   * @throws InvalidSpecException if the repository name is invalid (before anything is written)
   */
  public ArtifactRef put(String repository, InputStream content, ArtifactMetadata metadata) {
    requireRepository(repository);
    Objects.requireNonNull(metadata, "metadata");
    return commit(repository, writeTemp(out -> content.transferTo(out)), metadata);
  }

  /** Stores bytes as an artifact; see {@link #put(String, InputStream, ArtifactMetadata)}. */
  public ArtifactRef put(String repository, byte[] content, ArtifactMetadata metadata) {
    return put(repository, new ByteArrayInputStream(content), metadata);
  }

  /**
   * Imports a regular file as an artifact, labelled {@code org.opencontainers.image.title} with the
   * file name.
   *
   * @throws InvalidSpecException if the path is not a readable regular file
   */
  public ArtifactRef importFile(String repository, Path file, ArtifactMetadata metadata) {
    requireRepository(repository);
    if (!Files.isRegularFile(file)) {
      throw new InvalidSpecException(
          "import.file",
          "'" + file + "' is not a regular file",
          "give the path of an existing file, or use importDirectory for a directory");
    }
    TempBlob blob =
        writeTemp(
            out -> {
              try (InputStream in = Files.newInputStream(file)) {
                in.transferTo(out);
              }
            });
    return commit(
        repository,
        blob,
        metadata.withLabel("org.opencontainers.image.title", file.getFileName().toString()));
  }

  /**
   * Imports a directory as one artifact: a deterministic tar archive (media type {@value
   * ArtifactMetadata#TAR}), so the same tree always gets the same digest.
   *
   * @throws InvalidSpecException if the path is not a directory or holds special files
   */
  public ArtifactRef importDirectory(String repository, Path dir, ArtifactMetadata metadata) {
    requireRepository(repository);
    if (!Files.isDirectory(dir)) {
      throw new InvalidSpecException(
          "import.directory",
          "'" + dir + "' is not a directory",
          "give the path of an existing directory, or use importFile for a file");
    }
    TempBlob blob = writeTemp(out -> DeterministicTar.write(dir, out));
    return commit(repository, blob, metadata);
  }

  /**
   * Points {@code tag} at {@code target} (an artifact of the same repository) and records the move
   * with the current time. Moving a tag to where it already points records nothing.
   *
   * @return the move, or the earlier move that already put the tag there
   * @throws InvalidSpecException if the repositories differ
   * @throws NoSuchElementException if the target is not in the store
   */
  public TagMove tag(TagRef tag, ArtifactRef target) {
    if (!tag.repository().equals(target.repository())) {
      throw new InvalidSpecException(
          "tag.repository",
          "tag " + tag + " and target " + target + " are in different repositories",
          "tag an artifact of the tag's own repository");
    }
    return mutate(
        "tag",
        index -> {
          entry(index, target);
          List<StoreIndex.TagEntry> history =
              index
                  .repository(tag.repository())
                  .tags
                  .computeIfAbsent(tag.tag(), t -> new ArrayList<>());
          if (!history.isEmpty()
              && target.digest().toString().equals(StoreIndex.current(history))) {
            return toMove(tag, history.get(history.size() - 1));
          }
          StoreIndex.TagEntry move =
              new StoreIndex.TagEntry(target.digest().toString(), now().toString());
          history.add(move);
          return toMove(tag, move);
        });
  }

  /** Every move of a tag, oldest first; empty if the tag never existed. */
  public List<TagMove> tagHistory(TagRef tag) {
    StoreIndex.Repository repo = read().repositories.get(tag.repository());
    List<StoreIndex.TagEntry> history = repo == null ? null : repo.tags.get(tag.tag());
    return history == null ? List.of() : history.stream().map(e -> toMove(tag, e)).toList();
  }

  /** The current tags of a repository and their targets, sorted by tag. */
  public Map<String, ArtifactRef> tags(String repository) {
    StoreIndex.Repository repo = read().repositories.get(repository);
    Map<String, ArtifactRef> tags = new TreeMap<>();
    if (repo != null) {
      repo.tags.forEach(
          (t, h) ->
              tags.put(
                  t, new ArtifactRef(repository, Digest.parse(StoreIndex.current(h), "digest"))));
    }
    return tags;
  }

  // ---------------------------------------------------------------- retention

  /** The reasons an artifact is pinned; empty if none. */
  public Set<String> pins(ArtifactRef ref) {
    TreeSet<String> reasons = read().pins.get(ref.toString());
    return reasons == null ? Set.of() : Set.copyOf(reasons);
  }

  /**
   * Records that {@code release} was rolled out, and pins the service's previous release as {@value
   * #ROLLBACK_TARGET}{@code <service>} so that a rollback can always find it. Recording the release
   * that is already the latest records nothing.
   *
   * @throws NoSuchElementException if the release's artifact is not in the store
   */
  public void recordRelease(Release release) {
    String service = release.service();
    ArtifactRef ref = release.artifact();
    change(
        "recordRelease",
        index -> {
          entry(index, ref);
          List<StoreIndex.ReleaseEntry> history =
              index.releases.computeIfAbsent(service, s -> new ArrayList<>());
          String latest = history.isEmpty() ? null : history.get(history.size() - 1).artifact;
          if (ref.toString().equals(latest)) {
            return;
          }
          if (latest != null && isStored(index, latest)) {
            index.pins.computeIfAbsent(latest, k -> new TreeSet<>()).add(ROLLBACK_TARGET + service);
          }
          history.add(new StoreIndex.ReleaseEntry(ref.toString(), now().toString()));
          return;
        });
  }

  /**
   * Declares {@code release} stable: the service's rollback target is no longer needed, so its
   * {@value #ROLLBACK_TARGET}{@code <service>} pin is removed (from every artifact but this one).
   */
  public void markStable(Release release) {
    String reason = ROLLBACK_TARGET + release.service();
    String keep = release.artifact().toString();
    change(
        "markStable",
        index -> {
          index
              .pins
              .entrySet()
              .removeIf(
                  e ->
                      !e.getKey().equals(keep)
                          && e.getValue().remove(reason)
                          && e.getValue().isEmpty());
          return;
        });
  }

  /** The artifacts a service was released with, newest first (repeats removed). */
  public List<ArtifactRef> releaseHistory(String service) {
    List<StoreIndex.ReleaseEntry> history = read().releases.getOrDefault(service, List.of());
    LinkedHashSet<String> newestFirst = new LinkedHashSet<>();
    for (int i = history.size() - 1; i >= 0; i--) {
      newestFirst.add(history.get(i).artifact);
    }
    return newestFirst.stream().map(ArtifactRef::parse).toList();
  }

  /**
   * Removes every artifact the policy does not keep, then deletes every blob no remaining artifact
   * uses. Kept: pinned artifacts, artifacts a tag points at now, the last {@link
   * RetentionPolicy#keepReleases()} releases of every service, artifacts added within the grace
   * period, and (transitively) what a kept artifact references: the blobs of a kept manifest and
   * the {@code sha256-<hex>.sig}/{@code .att} attachments of a kept digest. Attachment tags of
   * removed artifacts are removed too; tag and release histories are kept as the audit trail.
   */
  public GcReport collectGarbage(RetentionPolicy policy) {
    Objects.requireNonNull(policy, "policy");
    return mutate(
        "collectGarbage",
        index -> {
          Set<String> keep = keptArtifacts(index, policy);
          List<ArtifactRef> removed = new ArrayList<>();
          index.repositories.forEach(
              (name, repo) -> {
                repo.artifacts
                    .keySet()
                    .removeIf(
                        d -> {
                          boolean drop = !keep.contains(name + "@" + d);
                          if (drop) {
                            removed.add(new ArtifactRef(name, Digest.parse(d)));
                          }
                          return drop;
                        });
                repo.tags
                    .keySet()
                    .removeIf(
                        t -> {
                          Matcher m = ATTACHMENT_TAG.matcher(t);
                          return m.matches() && !repo.artifacts.containsKey("sha256:" + m.group(1));
                        });
              });
          index.repositories.values().removeIf(r -> r.artifacts.isEmpty() && r.tags.isEmpty());
          // Commit the smaller index before deleting files: a crash in between leaves only orphan
          // blobs,
          // which the next collection deletes.
          writeIndex(index);
          Set<String> live = new HashSet<>();
          index
              .repositories
              .values()
              .forEach(
                  r ->
                      r.artifacts.forEach(
                          (d, e) -> {
                            live.add(d);
                            live.addAll(e.references);
                          }));
          List<Digest> deleted = new ArrayList<>();
          long freed = 0;
          try (Stream<Path> files = Files.list(blobDir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
              String digest = "sha256:" + f.getFileName();
              if (!live.contains(digest)) {
                freed += Files.size(f);
                Files.delete(f);
                deleted.add(Digest.parse(digest));
              }
            }
          }
          return new GcReport(removed, deleted, freed);
        });
  }

  private Set<String> keptArtifacts(StoreIndex index, RetentionPolicy policy) {
    Instant graceStart = now().minus(policy.gracePeriod());
    Deque<String> work = new ArrayDeque<>();
    index.pins.forEach(
        (ref, reasons) -> {
          if (!reasons.isEmpty()) {
            work.add(ref);
          }
        });
    index.repositories.forEach(
        (name, repo) -> {
          repo.artifacts.forEach(
              (d, e) -> {
                if (!Instant.parse(e.added).isBefore(graceStart)) {
                  work.add(name + "@" + d);
                }
              });
          repo.tags.forEach(
              (t, h) -> {
                if (!ATTACHMENT_TAG.matcher(t).matches()) {
                  work.add(name + "@" + StoreIndex.current(h));
                }
              });
        });
    index
        .releases
        .values()
        .forEach(
            history -> {
              LinkedHashSet<String> distinct = new LinkedHashSet<>();
              for (int i = history.size() - 1;
                  i >= 0 && distinct.size() < policy.keepReleases();
                  i--) {
                distinct.add(history.get(i).artifact);
              }
              work.addAll(distinct);
            });
    Set<String> keep = new HashSet<>();
    while (!work.isEmpty()) {
      String ref = work.poll();
      if (!keep.add(ref)) {
        continue;
      }
      int at = ref.indexOf('@');
      String repoName = ref.substring(0, at);
      String digest = ref.substring(at + 1);
      StoreIndex.Repository repo = index.repositories.get(repoName);
      if (repo == null) {
        continue;
      }
      StoreIndex.Entry entry = repo.artifacts.get(digest);
      if (entry != null) {
        entry.references.forEach(r -> work.add(repoName + "@" + r));
      }
      for (String kind : List.of(".sig", ".att")) {
        List<StoreIndex.TagEntry> attachment = repo.tags.get(digest.replace(':', '-') + kind);
        if (attachment != null) {
          work.add(repoName + "@" + StoreIndex.current(attachment));
        }
      }
    }
    return keep;
  }

  // ---------------------------------------------------------------- internals

  /** Writes content to a temp file while hashing it. */
  private TempBlob writeTemp(ContentWriter writer) {
    Path tmp = null;
    try {
      tmp = Files.createTempFile(tmpDir, "blob", ".tmp");
      MessageDigest md = Digest.Algorithm.SHA256.newMessageDigest();
      long size;
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
          OutputStream raw = Channels.newOutputStream(ch);
          CountingOutputStream counting =
              new CountingOutputStream(new BufferedOutputStream(raw, 64 * 1024));
          DigestOutputStream out = new DigestOutputStream(counting, md)) {
        writer.write(out);
        out.flush();
        ch.force(true);
        size = counting.count;
      }
      return new TempBlob(
          tmp, Digest.of(Digest.Algorithm.SHA256, HexFormat.of().formatHex(md.digest())), size);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw failure("put", "cannot write content to " + tmpDir, e);
    } catch (RuntimeException e) {
      deleteQuietly(tmp);
      throw e;
    }
  }

  /**
   * Commits content as an artifact. With {@value LaunchManifest#LABEL_PREFIX}{@code *} labels the
   * artifact is a {@link LaunchManifest}: content, a config blob with the launch labels and the
   * manifest naming both are stored, and the reference names the manifest, so its digest covers
   * what runs; the launch labels are not kept in the index.
   */
  private ArtifactRef commit(String repository, TempBlob blob, ArtifactMetadata metadata) {
    Map<String, String> launch = LaunchManifest.launchLabels(metadata.labels());
    if (launch.isEmpty()) {
      return commitEntry(repository, blob, metadata, List.of());
    }
    TempBlob config = null;
    try {
      Map<String, String> rest = new TreeMap<>(metadata.labels());
      rest.keySet().removeIf(LaunchManifest::isLaunchLabel);
      // Every label and the creation time go under the digest: the verification policy reads them.
      byte[] configBytes =
          LaunchManifest.config(new LaunchManifest.Config(launch, rest, metadata.created()));
      config = writeTemp(out -> out.write(configBytes));
      byte[] manifestBytes =
          LaunchManifest.manifest(
              new LaunchManifest.Descriptor(
                  LaunchManifest.CONFIG_MEDIA_TYPE, config.digest, config.size),
              new LaunchManifest.Descriptor(metadata.mediaType(), blob.digest, blob.size));
      TempBlob manifest = writeTemp(out -> out.write(manifestBytes));
      return commitEntry(
          repository,
          manifest,
          new ArtifactMetadata(
              LaunchManifest.MEDIA_TYPE, metadata.created(), rest, metadata.provenance()),
          List.of(blob, config));
    } finally {
      deleteQuietly(blob.path);
      deleteQuietly(config == null ? null : config.path);
    }
  }

  private ArtifactRef commitEntry(
      String repository, TempBlob blob, ArtifactMetadata metadata, List<TempBlob> referenced) {
    ArtifactRef ref = new ArtifactRef(repository, blob.digest);
    try {
      return mutate(
          "put",
          index -> {
            // What the entry references first: a reader never finds a manifest without its blobs.
            for (TempBlob b : referenced) {
              place(b);
            }
            place(blob);
            StoreIndex.Repository repo = index.repository(repository);
            if (!repo.artifacts.containsKey(blob.digest.toString())) {
              repo.artifacts.put(blob.digest.toString(), newEntry(metadata, blob));
            }
            return ref;
          });
    } finally {
      deleteQuietly(blob.path);
    }
  }

  /** Moves a written blob to its content address (or drops it if that content is stored). */
  private void place(TempBlob b) throws IOException {
    Path target = blobPath(b.digest);
    if (Files.exists(target)) {
      Files.delete(b.path);
    } else {
      AtomicFiles.move(b.path, target);
      AtomicFiles.makeReadOnly(target);
    }
  }

  private StoreIndex.Entry newEntry(ArtifactMetadata metadata, TempBlob blob) throws IOException {
    StoreIndex.Entry e = new StoreIndex.Entry();
    e.mediaType = metadata.mediaType();
    e.size = blob.size;
    e.created = metadata.created() == null ? null : metadata.created().toString();
    e.labels = new TreeMap<>(metadata.labels());
    e.provenance = metadata.provenance().equals(Provenance.NONE) ? null : metadata.provenance();
    e.added = now().toString();
    // Manifests are small; reading one back to find its references is cheap.
    if (blob.size < 4 * 1024 * 1024
        && (e.mediaType.contains("manifest") || e.mediaType.contains("index"))) {
      e.references =
          new ArrayList<>(
              StoreIndex.referencesOf(e.mediaType, Files.readAllBytes(blobPath(blob.digest))));
    }
    return e;
  }

  private void hashBlob(ArtifactRef ref, Digest digest) {
    Path blob = blobPath(digest);
    try (InputStream in = Files.newInputStream(blob)) {
      Digest actual = Digest.compute(digest.algorithm(), in);
      if (!actual.equals(digest)) {
        throw new DigestMismatchException(blob.toString(), digest, actual);
      }
    } catch (NoSuchFileException e) {
      throw missingBlob(ref, blob, e);
    } catch (IOException e) {
      throw failure("verify", "cannot read " + blob, e);
    }
  }

  private Path blobPath(Digest digest) {
    if (digest.algorithm() != Digest.Algorithm.SHA256) {
      throw new InvalidSpecException(
          "artifact.digest",
          digest + " is not a sha256 digest",
          "the filesystem store addresses content by sha256 only");
    }
    return blobDir.resolve(digest.hex());
  }

  private static StoreIndex.Entry entry(StoreIndex index, ArtifactRef ref) {
    StoreIndex.Repository repo = index.repositories.get(ref.repository());
    StoreIndex.Entry entry = repo == null ? null : repo.artifacts.get(ref.digest().toString());
    if (entry == null) {
      throw new NoSuchElementException(
          "artifact "
              + ref
              + " is not in the filesystem store"
              + (repo == null ? " (no such repository)" : ""));
    }
    return entry;
  }

  /**
   * An artifact of the repository, or a blob an artifact of it references (the config and layers of
   * a manifest): what the fleet fetches by the digests a verified manifest names.
   */
  private static void requireFetchable(StoreIndex index, ArtifactRef ref) {
    StoreIndex.Repository repo = index.repositories.get(ref.repository());
    String digest = ref.digest().toString();
    if (repo != null
        && !repo.artifacts.containsKey(digest)
        && repo.artifacts.values().stream().anyMatch(e -> e.references.contains(digest))) {
      return;
    }
    entry(index, ref);
  }

  private static boolean isStored(StoreIndex index, String ref) {
    ArtifactRef r = ArtifactRef.parse(ref);
    StoreIndex.Repository repo = index.repositories.get(r.repository());
    return repo != null && repo.artifacts.containsKey(r.digest().toString());
  }

  private Artifact toArtifact(ArtifactRef ref, StoreIndex.Entry e) {
    Instant created = e.created == null ? null : Instant.parse(e.created);
    Map<String, String> labels = e.labels;
    // A launch manifest carries its labels and creation time under its digest: the index's copy
    // (which whoever can write the store could edit) is not what the policy judges. Which blobs
    // are launch manifests is read from the blob itself, never from the index's media type.
    // Launch manifests are tiny; a larger blob is something else (the stored blob's size, not the
    // index's: a larger blob under this digest fails every digest check that reads it).
    byte[] manifest =
        blobSize(ref) <= LaunchManifest.MAX_BYTES ? smallBlob(ref, ref.digest()) : null;
    if (manifest != null && LaunchManifest.isLaunchManifest(manifest)) {
      LaunchManifest.Parsed parsed = LaunchManifest.parse(manifest, ref.toString());
      LaunchManifest.Config config =
          LaunchManifest.parseFullConfig(smallBlob(ref, parsed.config().digest()), ref.toString());
      created = config.created();
      labels = config.labels();
    }
    return Artifact.builder(ref)
        .mediaType(e.mediaType)
        .size(e.size)
        .created(created)
        .labels(labels)
        .provenance(e.provenance == null ? Provenance.NONE : e.provenance)
        .build();
  }

  private long blobSize(ArtifactRef ref) {
    Path blob = blobPath(ref.digest());
    try {
      return Files.size(blob);
    } catch (NoSuchFileException e) {
      throw missingBlob(ref, blob, e);
    } catch (IOException e) {
      throw failure("describe", "cannot read " + blob, e);
    }
  }

  private byte[] smallBlob(ArtifactRef ref, Digest digest) {
    Path blob = blobPath(digest);
    try (InputStream in = Files.newInputStream(blob)) {
      byte[] bytes = in.readNBytes(LaunchManifest.MAX_BYTES + 1);
      if (bytes.length > LaunchManifest.MAX_BYTES) {
        throw new InvalidSpecException(
            "artifact.manifest",
            "of " + ref + ": " + blob + " is larger than " + LaunchManifest.MAX_BYTES + " bytes",
            "rebuild the artifact with FilesystemArtifactStore");
      }
      Digest actual = Digest.sha256(bytes);
      if (!actual.equals(digest)) {
        throw new DigestMismatchException(blob.toString(), digest, actual);
      }
      return bytes;
    } catch (NoSuchFileException e) {
      throw missingBlob(ref, blob, e);
    } catch (IOException e) {
      throw failure("describe", "cannot read " + blob, e);
    }
  }

  private static TagMove toMove(TagRef tag, StoreIndex.TagEntry e) {
    return new TagMove(
        tag, new ArtifactRef(tag.repository(), Digest.parse(e.digest)), Instant.parse(e.time));
  }

  private Instant now() {
    return clock.instant();
  }

  /**
   * The last committed index; cached until the file is replaced (every commit makes a new inode).
   */
  private StoreIndex read() {
    try {
      BasicFileAttributes attrs = Files.readAttributes(indexFile, BasicFileAttributes.class);
      Object key = List.of(String.valueOf(attrs.fileKey()), attrs.lastModifiedTime(), attrs.size());
      Snapshot s = snapshot;
      if (key.equals(s.key)) {
        return s.index;
      }
      StoreIndex index = StoreIndex.parse(Files.readAllBytes(indexFile));
      snapshot = new Snapshot(key, index);
      return index;
    } catch (NoSuchFileException e) {
      return new StoreIndex();
    } catch (IOException e) {
      throw failure("read", "cannot read the index " + indexFile + " (" + e.getMessage() + ")", e);
    }
  }

  private <T> T mutate(String operation, Mutation<T> mutation) {
    lock.lock();
    try (FileChannel ch =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = ch.lock()) {
      // A private copy: the cached snapshot is shared with readers and must never change.
      StoreIndex index =
          Files.exists(indexFile)
              ? StoreIndex.parse(Files.readAllBytes(indexFile))
              : new StoreIndex();
      T result = mutation.apply(index);
      writeIndex(index);
      return result;
    } catch (IOException e) {
      throw failure(operation, e.getMessage() == null ? e.toString() : e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  private void writeIndex(StoreIndex index) throws IOException {
    AtomicFiles.write(indexFile, index.toJson(), tmpDir);
  }

  private ProviderException failure(String operation, String message, Throwable cause) {
    return ProviderException.permanent(
        PROVIDER, operation, message + " (store root " + root + ")", cause);
  }

  private ProviderException missingBlob(ArtifactRef ref, Path blob, Throwable cause) {
    return ProviderException.permanent(
        PROVIDER,
        "fetch",
        "the blob of "
            + ref
            + " is missing at "
            + blob
            + " although the index lists it; the store was modified by hand (fix: put the content again)",
        cause);
  }

  private static void requireReason(String reason) {
    if (reason == null || reason.isBlank()) {
      throw new InvalidSpecException(
          "pin.reason", "is blank", "say why the artifact is kept, e.g. rollback-target:checkout");
    }
  }

  private static void requireRepository(String repository) {
    // Validated the same way as every ArtifactRef, before any byte is written.
    new ArtifactRef(repository, Digest.sha256(new byte[0]));
  }

  private static void deleteQuietly(@Nullable Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // A leftover temp file is harmless; the next write uses another name.
      }
    }
  }

  /** {@link #mutate} for a change that returns nothing. */
  private void change(String operation, Change change) {
    mutate(
        operation,
        index -> {
          change.apply(index);
          return Boolean.TRUE;
        });
  }

  private interface Change {
    void apply(StoreIndex index) throws IOException;
  }

  @FunctionalInterface
  private interface Mutation<T> {
    T apply(StoreIndex index) throws IOException;
  }

  @FunctionalInterface
  private interface ContentWriter {
    void write(OutputStream out) throws IOException;
  }

  private record TempBlob(Path path, Digest digest, long size) {}

  private static final class CountingOutputStream extends FilterOutputStream {
    long count;

    CountingOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }

  /** Builds a {@link FilesystemArtifactStore}. Not thread-safe. */
  public static final class Builder {
    private final Path root;
    private InstantSource clock = InstantSource.system();

    private Builder(Path root) {
      this.root = root;
    }

    /**
     * The clock for tag moves, release records and the GC grace period; the system clock by
     * default.
     */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Creates the directories if needed and opens the store.
     *
     * @throws ProviderException if the root cannot be created or is not writable
     */
    public FilesystemArtifactStore build() {
      try {
        return new FilesystemArtifactStore(root, clock);
      } catch (IOException e) {
        throw ProviderException.permanent(
            PROVIDER,
            "open",
            "cannot create the store at " + root + " (" + e + "; fix: choose a writable directory)",
            e);
      }
    }
  }
}
