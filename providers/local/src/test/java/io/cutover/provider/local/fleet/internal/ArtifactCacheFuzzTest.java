// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet.internal;

import io.cutover.api.Artifact;
import io.cutover.api.ArtifactRef;
import io.cutover.api.CutoverException;
import io.cutover.api.Digest;
import io.cutover.api.TagRef;
import io.cutover.provider.local.fleet.LaunchSpec;
import io.cutover.spi.ArtifactStore;
import io.cutover.testfixtures.fuzz.Fuzz;
import io.cutover.testfixtures.fuzz.Mutator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Fuzzes tar artifact extraction ({@link ArtifactCache#materialize} of a {@code COMMAND} artifact):
 * archives are generated entry by entry with hostile names and link targets (absolute, {@code ..},
 * through earlier symlinks), entry types (files, directories, symlinks, hard links, FIFOs) and then
 * sometimes byte-mutated; the store serves them under their own digest, so the extractor is
 * reached. Materializing either succeeds or fails with an {@link IOException} or a {@link
 * CutoverException}; and, whatever happens, nothing is created outside the cache directory.
 */
class ArtifactCacheFuzzTest {
  private static final List<String> NAMES =
      List.of(
          "bin/app",
          "lib/x.jar",
          "link",
          "link/x",
          "dir/",
          "../escape",
          "a/../../escape",
          "/abs",
          "./a/./b",
          "a//b",
          "",
          ".",
          "a\u0000b",
          "e\u0301",
          "\u202eevil",
          "x".repeat(300));
  private static final List<String> TARGETS =
      List.of("../outside", "/", "..", "../../..", "../../../..", "bin/app", "link", "", ".");

  private static Path root;

  @BeforeContainer
  static void start() throws IOException {
    root = Files.createTempDirectory("tar-fuzz");
  }

  @AfterContainer
  static void stop() throws IOException {
    deleteTree(root);
  }

  private record Archive(byte[] bytes, String description) {
    @Override
    public String toString() {
      return description + " / " + Fuzz.printable(bytes);
    }
  }

  @Provide
  Arbitrary<Archive> archives() {
    return Arbitraries.randomValue(
        r -> {
          StringBuilder what = new StringBuilder();
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            int n = 1 + r.nextInt(6);
            for (int i = 0; i < n; i++) {
              String name = Mutator.pick(NAMES, r);
              int kind = r.nextInt(6);
              TarArchiveEntry e =
                  switch (kind) {
                    case 0 -> new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                    case 1 -> new TarArchiveEntry(name, TarArchiveEntry.LF_LINK);
                    case 2 -> new TarArchiveEntry(name, TarArchiveEntry.LF_FIFO);
                    case 3 -> new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
                    default -> new TarArchiveEntry(name);
                  };
              if (kind <= 1) {
                String target = Mutator.pick(TARGETS, r);
                // An absolute target points into this test's own directory, never at the machine's.
                e.setLinkName(target.equals("/") ? root.resolve("canary").toString() : target);
              }
              byte[] content =
                  kind >= 4 ? ("content " + i).getBytes(StandardCharsets.UTF_8) : new byte[0];
              e.setSize(content.length);
              e.setMode(r.nextBoolean() ? 0755 : 0644);
              what.append(kind).append(':').append(name).append('>');
              what.append(e.getLinkName()).append(' ');
              tar.putArchiveEntry(e);
              tar.write(content);
              tar.closeArchiveEntry();
            }
          } catch (IOException | RuntimeException e) {
            return new Archive(new byte[0], "unwritable: " + e);
          }
          byte[] bytes = out.toByteArray();
          return r.nextInt(3) == 0
              ? new Archive(Mutator.bytes(bytes, r), what + "(mutated)")
              : new Archive(bytes, what.toString());
        });
  }

  @Property
  void extractsOrRefuses(@ForAll("archives") Archive archive) throws IOException {
    materialize(archive, false);
  }

  /**
   * Found by this property (issue 11, item 1): a symlink entry pointing out of the artifact and a
   * later entry written through it ({@code link -> ../../..}, then {@code link/b}) create files
   * outside the cache directory. Fixed by the safe extraction of issue 11 (item 1).
   */
  @Property
  void neverWritesOutsideTheCache(@ForAll("archives") Archive archive) throws IOException {
    materialize(archive, true);
  }

  private static void materialize(Archive archive, boolean checkOutside) throws IOException {
    Path sandbox = Files.createTempDirectory(root, "s");
    Path cache = sandbox.resolve("cache");
    ArtifactRef ref = new ArtifactRef("local/app", Digest.sha256(archive.bytes()));
    ArtifactCache c = new ArtifactCache(cache, new OneBlobStore(archive.bytes()));
    try {
      Fuzz.run(
          "tar_archive",
          archive,
          () -> c.materialize(ref, LaunchSpec.Kind.COMMAND),
          IOException.class,
          CutoverException.class);
      List<String> outside = new ArrayList<>();
      try (Stream<Path> s = Files.list(sandbox)) {
        s.filter(p -> !p.equals(cache)).forEach(p -> outside.add(p.toString()));
      }
      try (Stream<Path> s = Files.list(root)) {
        s.filter(p -> !p.getFileName().toString().startsWith("s"))
            .forEach(p -> outside.add(p.toString()));
      }
      for (String p : outside) {
        deleteTree(Path.of(p));
      }
      Fuzz.require(
          !checkOutside || outside.isEmpty(),
          "tar_archive",
          archive,
          () -> "extraction wrote outside the cache directory: " + outside);
    } finally {
      deleteTree(sandbox);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.sorted((a, b) -> b.compareTo(a)).toList()) {
        if (!Files.isSymbolicLink(f)) {
          Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
        }
        Files.deleteIfExists(f);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Serves one blob; the cache needs nothing else of a store. */
  private record OneBlobStore(byte[] bytes) implements ArtifactStore {
    @Override
    public InputStream fetch(ArtifactRef r) {
      return new ByteArrayInputStream(bytes);
    }

    @Override
    public ArtifactRef resolve(TagRef tag) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Artifact describe(ArtifactRef r) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Artifact verify(ArtifactRef r) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<ArtifactRef> list(String repository) {
      return List.of();
    }

    @Override
    public void pin(ArtifactRef r, String reason) {}

    @Override
    public void unpin(ArtifactRef r, String reason) {}
  }
}
