// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.Artifact;
import io.cutover.api.ArtifactRef;
import io.cutover.api.DigestMismatchException;
import io.cutover.api.TagRef;
import io.cutover.provider.local.fleet.ArtifactLimits;
import io.cutover.provider.local.fleet.LaunchSpec;
import io.cutover.provider.local.fleet.UnsafeArtifactException;
import io.cutover.provider.local.store.ArtifactMetadata;
import io.cutover.provider.local.store.FilesystemArtifactStore;
import io.cutover.spi.ArtifactStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile tar archives: each is stored under its own digest (so the digest check passes) and must
 * be refused by the extraction itself, with nothing written outside the cache.
 */
class ArtifactCacheTest {
  @TempDir Path tmp;
  Path outside;
  FilesystemArtifactStore store;

  @BeforeEach
  void setUp() throws IOException {
    outside = Files.createDirectories(tmp.resolve("outside"));
    store = FilesystemArtifactStore.open(tmp.resolve("store"));
  }

  /** Builds a tar with the given entries (name, type, link target or content). */
  static byte[] tar(TarWriter writer) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      writer.write(out);
      out.finish();
    }
    return bytes.toByteArray();
  }

  interface TarWriter {
    void write(TarArchiveOutputStream out) throws IOException;
  }

  static void file(TarArchiveOutputStream out, String name, String content) throws IOException {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(b.length);
    e.setMode(0100644);
    out.putArchiveEntry(e);
    out.write(b);
    out.closeArchiveEntry();
  }

  static void dir(TarArchiveOutputStream out, String name) throws IOException {
    out.putArchiveEntry(new TarArchiveEntry(name.endsWith("/") ? name : name + "/"));
    out.closeArchiveEntry();
  }

  static void link(TarArchiveOutputStream out, String name, byte type, String target)
      throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, type);
    e.setLinkName(target);
    out.putArchiveEntry(e);
    out.closeArchiveEntry();
  }

  ArtifactRef put(byte[] tar) {
    return store.put("team/app", tar, ArtifactMetadata.of(ArtifactMetadata.TAR));
  }

  ArtifactCache cache(ArtifactStore s, ArtifactLimits limits) {
    return new ArtifactCache(tmp.resolve("cache"), s, limits);
  }

  Path materialize(byte[] tar) throws IOException {
    return cache(store, ArtifactLimits.DEFAULT).materialize(put(tar), LaunchSpec.Kind.COMMAND);
  }

  void assertNothingEscaped() throws IOException {
    try (Stream<Path> s = Files.list(outside)) {
      assertThat(s).as("files written outside the cache").isEmpty();
    }
    try (Stream<Path> s = Files.list(tmp.resolve("cache"))) {
      assertThat(s).as("leftovers in the cache").isEmpty();
    }
  }

  @Test
  @DisplayName("a symlink with an absolute target is refused, and nothing is written through it")
  void absoluteSymlinkTarget() throws IOException {
    byte[] tar =
        tar(
            out -> {
              link(out, "link", TarConstants.LF_SYMLINK, outside.toString());
              file(out, "link/pwned", "gotcha");
            });
    assertThatThrownBy(() -> materialize(tar))
        .isInstanceOf(UnsafeArtifactException.class)
        .hasMessageContaining("'link'")
        .hasMessageContaining("absolute")
        .hasMessageContaining("fix:");
    assertNothingEscaped();
  }

  @Test
  @DisplayName("a symlink whose relative target climbs out of the artifact is refused")
  void escapingSymlinkTarget() throws IOException {
    byte[] tar =
        tar(
            out -> {
              dir(out, "a");
              link(out, "a/up", TarConstants.LF_SYMLINK, "../../outside");
              file(out, "a/up/pwned", "gotcha");
            });
    assertThatThrownBy(() -> materialize(tar))
        .isInstanceOf(UnsafeArtifactException.class)
        .hasMessageContaining("'a/up'")
        .hasMessageContaining("outside the artifact");
    assertNothingEscaped();
  }

  @Test
  @DisplayName("a chain of symlinks that only escapes when followed is refused")
  void chainedSymlinkEscape() throws IOException {
    // Lexically "sub/c/../.." is the root; followed, sub/c is the root and ../.. leaves it.
    byte[] tar =
        tar(
            out -> {
              dir(out, "sub");
              link(out, "sub/c", TarConstants.LF_SYMLINK, "..");
              link(out, "sub/a", TarConstants.LF_SYMLINK, "c/../..");
            });
    assertThatThrownBy(() -> materialize(tar))
        .isInstanceOf(UnsafeArtifactException.class)
        .hasMessageContaining("'sub/a'");
    assertNothingEscaped();
  }

  @Test
  @DisplayName("an entry whose path passes through a symlink is refused, even one inside")
  void entryThroughSymlink() throws IOException {
    byte[] tar =
        tar(
            out -> {
              dir(out, "real");
              link(out, "lib", TarConstants.LF_SYMLINK, "real");
              file(out, "lib/evil", "x");
            });
    assertThatThrownBy(() -> materialize(tar))
        .isInstanceOf(UnsafeArtifactException.class)
        .hasMessageContaining("'lib/evil'")
        .hasMessageContaining("symbolic link");
    assertNothingEscaped();
  }

  @Test
  @DisplayName("a file entry over an earlier symlink of the same name is refused")
  void fileOverSymlink() throws IOException {
    Path victim = Files.writeString(outside.resolve("victim"), "original");
    byte[] tar =
        tar(
            out -> {
              link(out, "x", TarConstants.LF_SYMLINK, victim.toString());
              file(out, "x", "overwritten");
            });
    assertThatThrownBy(() -> materialize(tar)).isInstanceOf(UnsafeArtifactException.class);
    assertThat(Files.readString(victim)).isEqualTo("original");
    Files.delete(victim);
    assertNothingEscaped();
  }

  @Test
  @DisplayName("the same path twice is refused")
  void duplicateEntry() throws IOException {
    byte[] tar =
        tar(
            out -> {
              file(out, "x", "one");
              file(out, "x", "two");
            });
    assertThatThrownBy(() -> materialize(tar))
        .isInstanceOf(UnsafeArtifactException.class)
        .hasMessageContaining("'x'")
        .hasMessageContaining("twice");
    assertNothingEscaped();
  }

  @Test
  @DisplayName("a hard link is refused")
  void hardLink() throws IOException {
    byte[] tar =
        tar(
            out -> {
              file(out, "a", "x");
              link(out, "h", TarConstants.LF_LINK, "/etc/passwd");
            });
    assertThatThrownBy(() -> materialize(tar))
        .isInstanceOf(UnsafeArtifactException.class)
        .hasMessageContaining("'h'")
        .hasMessageContaining("hard link");
    assertNothingEscaped();
  }

  @ParameterizedTest(name = "type {0}")
  @ValueSource(bytes = {TarConstants.LF_CHR, TarConstants.LF_BLK, TarConstants.LF_FIFO})
  @DisplayName("device and FIFO entries are refused")
  void specialFiles(byte type) throws IOException {
    byte[] tar = tar(out -> link(out, "dev", type, ""));
    assertThatThrownBy(() -> materialize(tar))
        .isInstanceOf(UnsafeArtifactException.class)
        .hasMessageContaining("'dev'")
        .hasMessageContaining("device or FIFO");
    assertNothingEscaped();
  }

  @Test
  @DisplayName("a name with '..' is refused as unsafe")
  void dotDotName() throws IOException {
    byte[] tar = tar(out -> file(out, "a/../../outside/pwned", "x"));
    assertThatThrownBy(() -> materialize(tar))
        .isInstanceOf(UnsafeArtifactException.class)
        .hasMessageContaining("'a/../../outside/pwned'");
    assertNothingEscaped();
  }

  @Test
  @DisplayName("more entries than the limit are refused")
  void tooManyEntries() throws IOException {
    byte[] tar =
        tar(
            out -> {
              for (int i = 0; i < 6; i++) {
                file(out, "f" + i, "x");
              }
            });
    assertThatThrownBy(
            () ->
                cache(store, new ArtifactLimits(5, 1 << 20))
                    .materialize(put(tar), LaunchSpec.Kind.COMMAND))
        .isInstanceOf(UnsafeArtifactException.class)
        .hasMessageContaining("more than 5 entries");
    assertNothingEscaped();
  }

  @Test
  @DisplayName("a blob bigger than the byte limit is refused while it is copied")
  void tooManyBytes() throws IOException {
    byte[] tar = tar(out -> file(out, "big", "x".repeat(20_000)));
    assertThatThrownBy(
            () ->
                cache(store, new ArtifactLimits(100, 10_000))
                    .materialize(put(tar), LaunchSpec.Kind.COMMAND))
        .isInstanceOf(UnsafeArtifactException.class)
        .hasMessageContaining("10000 bytes");
    assertNothingEscaped();
  }

  @Test
  @DisplayName("an entry that declares more bytes than the limit is refused before it is written")
  void declaredSizeOverLimit() throws IOException {
    // A PAX header claims 1 TB; the blob itself is tiny (a truncated archive). Blocks of one record
    // reach the byte array at once, so the unclosed stream holds exactly the headers and 512 bytes.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    TarArchiveOutputStream out = new TarArchiveOutputStream(bytes, 512);
    out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    TarArchiveEntry e = new TarArchiveEntry("bomb");
    e.setSize(1L << 40);
    out.putArchiveEntry(e);
    out.write(new byte[512]);
    out.flush();
    byte[] tar = bytes.toByteArray();
    assertThat(tar.length).isLessThan(4096);
    assertThatThrownBy(
            () ->
                cache(store, new ArtifactLimits(100, 1 << 20))
                    .materialize(put(tar), LaunchSpec.Kind.COMMAND))
        .isInstanceOf(UnsafeArtifactException.class)
        .hasMessageContaining("'bomb'");
    assertNothingEscaped();
  }

  @Test
  @DisplayName("the whole blob is verified before the first entry is extracted")
  void digestBeforeExtraction() throws IOException {
    ArtifactRef ref = put(tar(out -> file(out, "ok", "fine")));
    byte[] evil =
        tar(
            out -> {
              link(out, "link", TarConstants.LF_SYMLINK, outside.toString());
              file(out, "link/pwned", "gotcha");
            });
    ArtifactStore lying = new LyingStore(store, evil);
    assertThatThrownBy(
            () -> cache(lying, ArtifactLimits.DEFAULT).materialize(ref, LaunchSpec.Kind.COMMAND))
        .isInstanceOf(DigestMismatchException.class);
    assertNothingEscaped();
  }

  @Test
  @DisplayName("a jar whose bytes do not match the digest is refused and not kept")
  void jarDigestChecked() throws IOException {
    ArtifactRef ref =
        store.put("team/app", "real".getBytes(StandardCharsets.UTF_8), ArtifactMetadata.of("x/y"));
    ArtifactStore lying = new LyingStore(store, "fake".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(
            () -> cache(lying, ArtifactLimits.DEFAULT).materialize(ref, LaunchSpec.Kind.JAR))
        .isInstanceOf(DigestMismatchException.class);
    assertNothingEscaped();
  }

  @Test
  @DisplayName("a directory with internal symlinks and executables extracts read-only and verified")
  void legitimateTree() throws IOException {
    Path tree = Files.createDirectories(tmp.resolve("tree/bin"));
    Files.createDirectories(tmp.resolve("tree/lib"));
    Files.writeString(tmp.resolve("tree/lib/run.sh"), "#!/bin/sh\necho hi\n");
    tmp.resolve("tree/lib/run.sh").toFile().setExecutable(true);
    Files.createSymbolicLink(tree.resolve("run"), Path.of("../lib/run.sh"));
    Files.createSymbolicLink(tmp.resolve("tree/here"), Path.of("."));
    ArtifactRef ref =
        store.importDirectory(
            "team/app", tmp.resolve("tree"), ArtifactMetadata.of("application/x-tar"));
    ArtifactCache cache = cache(store, ArtifactLimits.DEFAULT);

    Path p = cache.materialize(ref, LaunchSpec.Kind.COMMAND);

    assertThat(Files.readSymbolicLink(p.resolve("bin/run"))).isEqualTo(Path.of("../lib/run.sh"));
    assertThat(Files.isExecutable(p.resolve("lib/run.sh"))).isTrue();
    assertThat(cache.digestOnDisk(ref, LaunchSpec.Kind.COMMAND)).isEqualTo(ref.digest());
    assertThat(cache.materialize(ref, LaunchSpec.Kind.COMMAND)).isEqualTo(p);
  }

  /** A store that describes the real artifact but serves other bytes (a compromised backend). */
  record LyingStore(FilesystemArtifactStore real, byte[] served) implements ArtifactStore {
    @Override
    public ArtifactRef resolve(TagRef tag) {
      return real.resolve(tag);
    }

    @Override
    public Artifact describe(ArtifactRef ref) {
      return real.describe(ref);
    }

    @Override
    public InputStream fetch(ArtifactRef ref) {
      return new ByteArrayInputStream(served);
    }

    @Override
    public Artifact verify(ArtifactRef ref) {
      return real.verify(ref);
    }

    @Override
    public List<ArtifactRef> list(String repository) {
      return real.list(repository);
    }

    @Override
    public void pin(ArtifactRef ref, String reason) {
      real.pin(ref, reason);
    }

    @Override
    public void unpin(ArtifactRef ref, String reason) {
      real.unpin(ref, reason);
    }
  }
}
