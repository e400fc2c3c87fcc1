// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet.internal;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.DigestMismatchException;
import io.cutover.provider.local.fleet.ArtifactLimits;
import io.cutover.provider.local.fleet.LaunchSpec;
import io.cutover.provider.local.fleet.UnsafeArtifactException;
import io.cutover.provider.local.store.internal.DeterministicTar;
import io.cutover.spi.ArtifactStore;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The fleet's read-only, content-addressed copy of the artifacts it runs: {@code <dir>/<hex>} for a
 * jar, {@code <dir>/<hex>.d/} for a directory artifact. Content is copied out of the store into a
 * private temp directory and verified against its digest as a whole; only then is a directory
 * artifact unpacked (by {@link SafeTarExtractor}, within the {@link ArtifactLimits}); the result is
 * made read-only and renamed into place. The digest of what is on disk is re-computed on demand
 * (cached by size, mtime and ctime), so a file modified after the fact is seen as drift and
 * refused.
 */
public final class ArtifactCache {
  private static final Set<PosixFilePermission> READ_ONLY =
      PosixFilePermissions.fromString("r--r--r--");
  private static final Set<PosixFilePermission> READ_EXEC =
      PosixFilePermissions.fromString("r-xr-xr-x");

  private final Path dir;
  private final ArtifactStore store;
  private final ArtifactLimits limits;
  private final Map<Path, Hashed> hashes = new ConcurrentHashMap<>();

  private record Hashed(String stamp, Digest digest) {}

  public ArtifactCache(Path dir, ArtifactStore store) {
    this(dir, store, ArtifactLimits.DEFAULT);
  }

  public ArtifactCache(Path dir, ArtifactStore store, ArtifactLimits limits) {
    this.dir = dir;
    this.store = store;
    this.limits = Objects.requireNonNull(limits, "limits");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The path an artifact runs from (it may not exist yet). */
  public Path pathOf(ArtifactRef ref, LaunchSpec.Kind kind) {
    String hex = ref.digest().hex();
    return kind == LaunchSpec.Kind.JAR ? dir.resolve(hex + ".jar") : dir.resolve(hex + ".d");
  }

  /**
   * Makes the artifact available read-only and checks that what is on disk hashes to its digest.
   * The blob is copied out of the store and verified as a whole before a single tar entry is
   * unpacked, so a store that serves other bytes than it describes never gets them extracted.
   *
   * @throws DigestMismatchException if the store served other content, or a copy on disk was
   *     modified
   * @throws UnsafeArtifactException if the content would reach outside its directory or exceeds the
   *     limits
   */
  public Path materialize(ArtifactRef ref, LaunchSpec.Kind kind) throws IOException {
    Path target = pathOf(ref, kind);
    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      Path tmp = Files.createTempDirectory(dir, ".incoming-");
      try {
        Path blob = tmp.resolve("blob");
        fetchVerified(ref, blob);
        Path staged = blob;
        if (kind == LaunchSpec.Kind.COMMAND) {
          staged = tmp.resolve("content");
          new SafeTarExtractor(ref.toString(), limits).extract(blob, staged);
        }
        makeReadOnly(staged);
        try {
          Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
          if (!Files.exists(target)) {
            throw e;
          }
          // Another launch materialized it first; its copy is as good as ours.
        }
      } finally {
        deleteTree(tmp);
      }
    }
    // Materialized above (by us or a concurrent launch), so there is a digest on disk.
    Digest actual =
        Objects.requireNonNull(
            digestOnDisk(ref, kind), () -> target + " vanished after it was materialized");
    if (!actual.equals(ref.digest())) {
      throw new DigestMismatchException(target.toString(), ref.digest(), actual);
    }
    return target;
  }

  /** Copies the blob to {@code out} (new, never through a link), capped, and checks its digest. */
  private void fetchVerified(ArtifactRef ref, Path out) throws IOException {
    MessageDigest md = ref.digest().algorithm().newMessageDigest();
    long total = 0;
    try (InputStream in = store.fetch(ref);
        OutputStream o =
            Files.newOutputStream(
                out,
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
      byte[] buf = new byte[64 * 1024];
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        total += n;
        if (total > limits.maxBytes()) {
          throw new UnsafeArtifactException(
              ref.toString(),
              "the content",
              "is bigger than " + limits.maxBytes() + " bytes",
              "ship a smaller artifact, or raise ArtifactLimits.maxBytes of the fleet");
        }
        md.update(buf, 0, n);
        o.write(buf, 0, n);
      }
    }
    Digest actual = Digest.of(ref.digest().algorithm(), HexFormat.of().formatHex(md.digest()));
    if (!actual.equals(ref.digest())) {
      throw new DigestMismatchException(
          ref + " as served by the artifact store", ref.digest(), actual);
    }
  }

  /** The digest of what is on disk now for an artifact; null if it was never materialized. */
  public @Nullable Digest digestOnDisk(ArtifactRef ref, LaunchSpec.Kind kind) throws IOException {
    Path p = pathOf(ref, kind);
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    String stamp = stamp(p);
    Hashed h = hashes.get(p);
    if (h != null && h.stamp.equals(stamp)) {
      return h.digest;
    }
    Digest d = hash(p, ref.digest().algorithm());
    hashes.put(p, new Hashed(stamp, d));
    return d;
  }

  private static Digest hash(Path p, Digest.Algorithm algorithm) throws IOException {
    MessageDigest md = algorithm.newMessageDigest();
    if (Files.isDirectory(p)) {
      try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), md)) {
        DeterministicTar.write(p, out);
      }
    } else {
      try (InputStream in = new BufferedInputStream(Files.newInputStream(p));
          OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), md)) {
        in.transferTo(out);
      }
    }
    return Digest.of(algorithm, HexFormat.of().formatHex(md.digest()));
  }

  /** Size, mtime and ctime of every file: ctime cannot be set back by whoever edits a file. */
  private static String stamp(Path p) throws IOException {
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path f : (Iterable<Path>) walk.sorted()::iterator) {
        Map<String, Object> a =
            Files.readAttributes(f, "unix:size,lastModifiedTime,ctime", LinkOption.NOFOLLOW_LINKS);
        sb.append(f)
            .append(':')
            .append(a.get("size"))
            .append(':')
            .append(a.get("lastModifiedTime"))
            .append(':')
            .append(a.get("ctime"))
            .append(';');
      }
    }
    return sb.toString();
  }

  /** Marks an unpacked file executable (read-only comes later, for the whole tree). */
  static void makeExecutable(Path file) throws IOException {
    Files.setPosixFilePermissions(file, READ_EXEC);
  }

  private static void makeReadOnly(Path p) throws IOException {
    try (Stream<Path> walk = Files.walk(p)) {
      // Children first, so a directory is made read-only after what it holds.
      for (Path f : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        if (Files.isSymbolicLink(f)) {
          continue;
        }
        if (Files.isDirectory(f) || Files.isExecutable(f)) {
          Files.setPosixFilePermissions(f, READ_EXEC);
        } else {
          Files.setPosixFilePermissions(f, READ_ONLY);
        }
      }
    }
  }

  /** Deletes a tree, making read-only directories writable first. */
  public static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path f : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) {
          Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
        }
        Files.deleteIfExists(f);
      }
    }
  }
}
