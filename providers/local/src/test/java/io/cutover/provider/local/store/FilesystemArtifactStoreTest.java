// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.DigestMismatchException;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.TagRef;
import io.cutover.core.ProviderConfigs;
import io.cutover.core.ProviderRegistry;
import io.cutover.spi.ArtifactStore;
import io.cutover.spi.ArtifactStoreProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// The SPI-level groups (resolve, fetch, pin) are written against ArtifactStore only, so they can
// move
// onto the testkit's ArtifactStoreContract once it exists; the rest is specific to this store.
class FilesystemArtifactStoreTest {
  private static final String REPO = "team/app";

  @TempDir Path dir;
  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  final InstantSource clock = () -> now.get();
  FilesystemArtifactStore store;

  @BeforeEach
  void open() {
    store = FilesystemArtifactStore.builder(dir.resolve("store")).clock(clock).build();
  }

  ArtifactRef put(String content) {
    return store.put(
        REPO, content.getBytes(StandardCharsets.UTF_8), ArtifactMetadata.of("text/plain"));
  }

  static String read(ArtifactStore s, ArtifactRef ref) throws IOException {
    try (InputStream in = s.fetch(ref)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  void advance(Duration d) {
    now.set(now.get().plus(d));
  }

  @Nested
  @DisplayName("content addressing")
  class ContentAddressing {
    @Test
    @DisplayName(
        "put stores the blob once under sha256/<hex>, read-only, and the digest is the content's")
    void putIsContentAddressed() throws IOException {
      ArtifactRef a = put("hello");
      ArtifactRef again = put("hello");

      assertThat(a).isEqualTo(again);
      assertThat(a.digest()).isEqualTo(Digest.sha256("hello"));
      Path blob = store.root().resolve("sha256").resolve(a.digest().hex());
      assertThat(Files.readString(blob)).isEqualTo("hello");
      assertThat(Files.getPosixFilePermissions(blob))
          .isEqualTo(PosixFilePermissions.fromString("r--r--r--"));
      assertThat(read(store, a)).isEqualTo("hello");
      assertThat(store.list(REPO)).containsExactly(a);
      assertThat(Files.list(store.root().resolve("tmp")).toList()).isEmpty();
      // Newest first, also when one time has a fraction of a second and the other has none.
      now.set(now.get().plusMillis(500));
      ArtifactRef b = put("later");
      now.set(now.get().plusMillis(500));
      ArtifactRef c = put("latest");
      assertThat(store.list(REPO)).containsExactly(c, b, a);
    }

    @Test
    @DisplayName("describe returns the metadata given at put time")
    void describe() {
      Instant built = Instant.parse("2025-12-24T10:00:00Z");
      ArtifactRef ref =
          store.put(
              REPO,
              new byte[] {1, 2, 3},
              ArtifactMetadata.of("application/x-demo")
                  .withCreated(built)
                  .withLabel("org.opencontainers.image.version", "1.2"));

      var artifact = store.describe(ref);

      assertThat(artifact.mediaType()).isEqualTo("application/x-demo");
      assertThat(artifact.size()).isEqualTo(3);
      assertThat(artifact.created()).isEqualTo(built);
      assertThat(artifact.labels()).containsEntry("org.opencontainers.image.version", "1.2");
    }

    @Test
    @DisplayName(
        "a blob modified on disk is refused by fetch (at the end of the stream) and by verify")
    void tamperedBlobIsRefused() throws IOException {
      ArtifactRef ref = put("original content");
      Path blob = store.root().resolve("sha256").resolve(ref.digest().hex());
      Files.setPosixFilePermissions(blob, PosixFilePermissions.fromString("rw-r--r--"));
      Files.writeString(blob, "tampered content");

      assertThatThrownBy(() -> read(store, ref))
          .isInstanceOf(DigestMismatchException.class)
          .hasMessageContaining(ref.digest().toString());
      assertThatThrownBy(() -> store.verify(ref))
          .isInstanceOf(DigestMismatchException.class)
          .satisfies(
              e ->
                  assertThat(((DigestMismatchException) e).actual())
                      .isEqualTo(Digest.sha256("tampered content")));
    }

    @Test
    @DisplayName("verify checks the blobs a stored manifest references too")
    void verifyChecksReferences() throws IOException {
      ArtifactRef layer = put("layer bytes");
      ArtifactRef manifest =
          store.put(
              REPO,
              manifestReferencing(layer.digest()),
              ArtifactMetadata.of("application/vnd.oci.image.manifest.v1+json"));
      assertThat(store.verify(manifest).ref()).isEqualTo(manifest);

      Path blob = store.root().resolve("sha256").resolve(layer.digest().hex());
      Files.setPosixFilePermissions(blob, PosixFilePermissions.fromString("rw-r--r--"));
      Files.writeString(blob, "other bytes");

      assertThatThrownBy(() -> store.verify(manifest)).isInstanceOf(DigestMismatchException.class);
    }

    @Test
    @DisplayName("unknown artifacts and tags are NoSuchElementException")
    void unknown() {
      ArtifactRef missing = new ArtifactRef(REPO, Digest.sha256("never stored"));
      assertThatThrownBy(() -> store.describe(missing)).isInstanceOf(NoSuchElementException.class);
      assertThatThrownBy(() -> store.fetch(missing)).isInstanceOf(NoSuchElementException.class);
      assertThatThrownBy(() -> store.resolve(new TagRef(REPO, "1.0")))
          .isInstanceOf(NoSuchElementException.class)
          .hasMessageContaining("team/app:1.0");
      assertThat(store.list("other/repo")).isEmpty();
    }

    @Test
    @DisplayName("an invalid repository is refused before anything is written")
    void invalidRepository() throws IOException {
      assertThatThrownBy(
              () -> store.put("Not Valid", new byte[] {1}, ArtifactMetadata.of("text/plain")))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("Not Valid");
      try (var blobs = Files.list(store.root().resolve("sha256"))) {
        assertThat(blobs.toList()).isEmpty();
      }
    }
  }

  @Nested
  @DisplayName("tags")
  class Tags {
    @Test
    @DisplayName(
        "every tag move is recorded with its time; a tag moved after resolve does not change the resolved content")
    void tagHistory() throws IOException {
      TagRef tag = new TagRef(REPO, "prod");
      ArtifactRef v1 = put("v1");
      ArtifactRef v2 = put("v2");
      store.tag(tag, v1);
      ArtifactRef resolved = store.resolve(tag);
      advance(Duration.ofMinutes(5));
      store.tag(tag, v2);
      store.tag(tag, v2);

      assertThat(resolved).isEqualTo(v1);
      assertThat(read(store, resolved)).isEqualTo("v1");
      assertThat(store.resolve(tag)).isEqualTo(v2);
      assertThat(store.tagHistory(tag))
          .extracting(TagMove::target, TagMove::time)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(v1, Instant.parse("2026-01-01T00:00:00Z")),
              org.assertj.core.groups.Tuple.tuple(v2, Instant.parse("2026-01-01T00:05:00Z")));
      assertThat(store.tags(REPO)).containsExactly(Map.entry("prod", v2));
    }

    @Test
    @DisplayName("a tag can only point at an artifact of its own repository that exists")
    void tagTargetChecked() {
      ArtifactRef v1 = put("v1");
      assertThatThrownBy(() -> store.tag(new TagRef("other/app", "1"), v1))
          .isInstanceOf(InvalidSpecException.class);
      assertThatThrownBy(
              () -> store.tag(new TagRef(REPO, "1"), new ArtifactRef(REPO, Digest.sha256("x"))))
          .isInstanceOf(NoSuchElementException.class);
      assertThat(store.tags(REPO)).isEmpty();
    }
  }

  @Nested
  @DisplayName("pins, releases and garbage collection")
  class Retention {
    final RetentionPolicy keepOne = RetentionPolicy.keepLast(1).withGracePeriod(Duration.ZERO);

    @Test
    @DisplayName("pin and unpin are idempotent per reason")
    void pins() {
      ArtifactRef a = put("a");
      store.pin(a, "audit");
      store.pin(a, "audit");
      store.pin(a, "rollback-target:checkout");
      store.unpin(a, "audit");
      store.unpin(a, "audit");

      assertThat(store.pins(a)).containsExactly("rollback-target:checkout");
      assertThatThrownBy(() -> store.pin(a, " ")).isInstanceOf(InvalidSpecException.class);
      assertThatThrownBy(() -> store.pin(new ArtifactRef(REPO, Digest.sha256("nope")), "x"))
          .isInstanceOf(NoSuchElementException.class);
    }

    @Test
    @DisplayName(
        "GC keeps the last N releases, pinned and tagged artifacts, and deletes the rest with their blobs")
    void gcKeepsWhatRetentionNeeds() {
      ArtifactRef v1 = put("release one");
      ArtifactRef v2 = put("release two");
      ArtifactRef v3 = put("release three");
      ArtifactRef pinned = put("pinned");
      ArtifactRef tagged = put("tagged");
      ArtifactRef stray = put("stray");
      store.pin(pinned, "audit");
      store.tag(new TagRef(REPO, "latest"), tagged);
      for (ArtifactRef r : List.of(v1, v2, v3)) {
        store.recordRelease(Release.of("checkout", r));
        store.markStable(Release.of("checkout", r));
      }
      advance(Duration.ofSeconds(1));

      GcReport report =
          store.collectGarbage(RetentionPolicy.keepLast(2).withGracePeriod(Duration.ZERO));

      assertThat(report.removedArtifacts()).containsExactlyInAnyOrder(v1, stray);
      assertThat(report.deletedBlobs()).containsExactlyInAnyOrder(v1.digest(), stray.digest());
      assertThat(report.bytesFreed()).isEqualTo("release one".length() + "stray".length());
      assertThat(store.list(REPO)).containsExactlyInAnyOrder(v2, v3, pinned, tagged);
      assertThat(Files.exists(store.root().resolve("sha256").resolve(v1.digest().hex()))).isFalse();
      assertThat(store.releaseHistory("checkout")).containsExactly(v3, v2, v1);
    }

    @Test
    @DisplayName("a rollback target stays pinned until the next release is declared stable")
    void rollbackTargetPinnedUntilStable() {
      ArtifactRef v1 = put("v1");
      ArtifactRef v2 = put("v2");
      store.recordRelease(Release.of("checkout", v1));
      store.markStable(Release.of("checkout", v1));
      store.recordRelease(Release.of("checkout", v2));
      advance(Duration.ofSeconds(1));

      assertThat(store.pins(v1)).containsExactly("rollback-target:checkout");
      assertThat(store.collectGarbage(keepOne).removedArtifacts()).isEmpty();

      store.markStable(Release.of("checkout", v2));

      assertThat(store.pins(v1)).isEmpty();
      assertThat(store.collectGarbage(keepOne).removedArtifacts()).containsExactly(v1);
      assertThat(store.list(REPO)).containsExactly(v2);
    }

    @Test
    @DisplayName(
        "GC keeps a kept manifest's blobs and its signature attachment, and drops attachments of removed digests")
    void gcFollowsReferences() {
      ArtifactRef layer = put("layer");
      ArtifactRef manifest =
          store.put(
              REPO,
              manifestReferencing(layer.digest()),
              ArtifactMetadata.of("application/vnd.oci.image.manifest.v1+json"));
      ArtifactRef signature = put("signature of manifest");
      store.tag(
          new TagRef(REPO, manifest.digest().toString().replace(':', '-') + ".sig"), signature);
      ArtifactRef old = put("old");
      ArtifactRef oldSignature = put("signature of old");
      store.tag(new TagRef(REPO, old.digest().toString().replace(':', '-') + ".sig"), oldSignature);
      store.pin(manifest, "release");
      advance(Duration.ofSeconds(1));

      GcReport report = store.collectGarbage(keepOne);

      assertThat(report.removedArtifacts()).containsExactlyInAnyOrder(old, oldSignature);
      assertThat(store.list(REPO)).containsExactlyInAnyOrder(manifest, layer, signature);
      assertThat(store.tags(REPO))
          .containsOnlyKeys(manifest.digest().toString().replace(':', '-') + ".sig");
    }

    @Test
    @DisplayName(
        "artifacts younger than the grace period survive GC even when nothing refers to them")
    void gracePeriod() {
      ArtifactRef fresh = put("fresh");
      advance(Duration.ofMinutes(10));

      assertThat(
              store
                  .collectGarbage(RetentionPolicy.keepLast(1).withGracePeriod(Duration.ofHours(1)))
                  .removedArtifacts())
          .isEmpty();
      advance(Duration.ofHours(1));
      assertThat(store.collectGarbage(RetentionPolicy.keepLast(1)).removedArtifacts())
          .containsExactly(fresh);
    }
  }

  @Nested
  @DisplayName("import")
  class Import {
    @Test
    @DisplayName(
        "a directory becomes a deterministic tar: same tree, same digest, whatever the file times")
    void deterministicDirectory() throws IOException {
      Path a = tree(dir.resolve("a"), Instant.parse("2020-01-01T00:00:00Z"));
      Path b = tree(dir.resolve("b"), Instant.parse("2024-06-01T12:00:00Z"));

      ArtifactRef ra = store.importDirectory(REPO, a, ArtifactMetadata.of(ArtifactMetadata.TAR));
      ArtifactRef rb = store.importDirectory(REPO, b, ArtifactMetadata.of(ArtifactMetadata.TAR));

      assertThat(ra).isEqualTo(rb);
      List<String> names = new ArrayList<>();
      List<Integer> modes = new ArrayList<>();
      try (TarArchiveInputStream tar = new TarArchiveInputStream(store.fetch(ra))) {
        for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
          names.add(e.getName());
          modes.add(e.getMode() & 0777);
          assertThat(e.getModTime().getTime()).isZero();
          if (e.getName().equals("bin/run.sh")) {
            assertThat(new String(tar.readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo("#!/bin/sh\necho hi\n");
          }
        }
      }
      String longName = "deep/" + "x".repeat(120) + ".txt";
      assertThat(names).containsExactly("README", "bin/", "bin/run.sh", "deep/", longName);
      assertThat(modes).containsExactly(0644, 0755, 0755, 0755, 0644);
    }

    @Test
    @DisplayName(
        "a symbolic link is stored as a link with its target, never as the target's content")
    void symlinkStoredAsLink() throws IOException {
      Path a = tree(dir.resolve("a"), Instant.EPOCH);
      Files.createSymbolicLink(a.resolve("run"), Path.of("bin/run.sh"));

      ArtifactRef ref = store.importDirectory(REPO, a, ArtifactMetadata.of(ArtifactMetadata.TAR));

      try (TarArchiveInputStream tar = new TarArchiveInputStream(store.fetch(ref))) {
        boolean seen = false;
        for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
          if (e.getName().equals("run")) {
            seen = true;
            assertThat(e.isSymbolicLink()).isTrue();
            assertThat(e.getLinkName()).isEqualTo("bin/run.sh");
            assertThat(e.getSize()).isZero();
          }
        }
        assertThat(seen).isTrue();
      }
    }

    @Test
    @DisplayName("different content gives a different digest")
    void differentTreeDifferentDigest() throws IOException {
      Path a = tree(dir.resolve("a"), Instant.EPOCH);
      ArtifactRef before =
          store.importDirectory(REPO, a, ArtifactMetadata.of(ArtifactMetadata.TAR));
      Files.writeString(a.resolve("README"), "changed");

      assertThat(store.importDirectory(REPO, a, ArtifactMetadata.of(ArtifactMetadata.TAR)))
          .isNotEqualTo(before);
    }

    @Test
    @DisplayName("a file is imported byte for byte, titled with its name")
    void file() throws IOException {
      Path f = Files.writeString(dir.resolve("app.jar"), "jar bytes");

      ArtifactRef ref = store.importFile(REPO, f, ArtifactMetadata.of("application/java-archive"));

      assertThat(ref.digest()).isEqualTo(Digest.sha256("jar bytes"));
      assertThat(store.describe(ref).labels())
          .containsEntry("org.opencontainers.image.title", "app.jar");
      assertThatThrownBy(() -> store.importFile(REPO, dir, ArtifactMetadata.of("x/y")))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("importDirectory");
    }

    private Path tree(Path root, Instant mtime) throws IOException {
      Files.createDirectories(root.resolve("bin"));
      Files.createDirectories(root.resolve("deep"));
      // Created in a different order than the archive lists them.
      Path longFile =
          Files.writeString(root.resolve("deep").resolve("x".repeat(120) + ".txt"), "long");
      Path run = Files.writeString(root.resolve("bin/run.sh"), "#!/bin/sh\necho hi\n");
      Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-x---"));
      Path readme = Files.writeString(root.resolve("README"), "hello");
      for (Path p : List.of(longFile, run, readme, root.resolve("bin"), root.resolve("deep"))) {
        Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.from(mtime));
      }
      return root;
    }
  }

  @Nested
  @DisplayName("sharing and discovery")
  class Sharing {
    @Test
    @DisplayName(
        "concurrent puts and tag moves from threads and from a second store instance all land")
    void concurrent() throws Exception {
      FilesystemArtifactStore other =
          FilesystemArtifactStore.builder(store.root()).clock(clock).build();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<ArtifactRef>> results = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          FilesystemArtifactStore s = i % 2 == 0 ? store : other;
          String content = "content " + i;
          String tag = "t" + i;
          results.add(
              pool.submit(
                  () -> {
                    ArtifactRef r =
                        s.put(
                            REPO,
                            new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)),
                            ArtifactMetadata.of("text/plain"));
                    s.tag(new TagRef(REPO, tag), r);
                    return r;
                  }));
        }
        for (Future<ArtifactRef> f : results) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(store.list(REPO)).hasSize(20);
      assertThat(other.tags(REPO)).hasSize(20);
      assertThat(read(other, store.resolve(new TagRef(REPO, "t7")))).isEqualTo("content 7");
    }

    @Test
    @DisplayName("the provider is found by name and refuses unknown or missing keys")
    void provider() {
      ArtifactStoreProvider provider =
          ServiceLoader.load(ArtifactStoreProvider.class).stream()
              .map(ServiceLoader.Provider::get)
              .filter(p -> p.name().equals("filesystem"))
              .findFirst()
              .orElseThrow();

      ArtifactStore created =
          provider.create(
              ProviderConfigs.of("filesystem", Map.of("root", dir.resolve("p").toString())),
              ProviderRegistry.create().withDiscovery().context());
      assertThat(created).isInstanceOf(FilesystemArtifactStore.class);
      assertThatThrownBy(
              () ->
                  provider.create(
                      ProviderConfigs.of("filesystem", Map.of("root", "x", "rot", "y")),
                      ProviderRegistry.create().withDiscovery().context()))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("$.providers.filesystem.rot");
      assertThatThrownBy(
              () ->
                  provider.create(
                      ProviderConfigs.empty("filesystem"),
                      ProviderRegistry.create().withDiscovery().context()))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("root");
    }
  }

  static byte[] manifestReferencing(Digest layer) {
    return ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"layers\":[{\"mediaType\":\"application/octet-stream\",\"digest\":\""
            + layer
            + "\",\"size\":1}]}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
