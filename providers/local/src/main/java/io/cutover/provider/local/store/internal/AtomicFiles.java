// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.store.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;

/**
 * Crash-safe file replacement: write a temp file, force it, rename it over the target, force the
 * directory.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /**
   * Writes {@code bytes} to {@code target} atomically, using {@code tmpDir} (same file system) for
   * the temp file. The temp file gets a unique name and, where the file system has POSIX modes,
   * mode 0600 from its creation ({@link Files#createTempFile} creates it new, never through a
   * link).
   */
  public static void write(Path target, byte[] bytes, Path tmpDir) throws IOException {
    Path tmp = Files.createTempFile(tmpDir, target.getFileName().toString(), ".tmp");
    try (FileChannel ch =
        FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    move(tmp, target);
  }

  /** Forces a file's content to disk. */
  public static void force(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /** Renames {@code tmp} over {@code target} atomically and forces the directory entry to disk. */
  public static void move(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.deleteIfExists(tmp);
      throw new IOException(
          "the file system of " + target.getParent() + " cannot rename atomically", e);
    }
    // The absolute path of a file always has a parent directory.
    forceDirectory(
        Objects.requireNonNull(target.toAbsolutePath().getParent(), "parent of " + target));
  }

  /**
   * Makes a file read-only for everyone (best effort on file systems without POSIX permissions).
   */
  public static void makeReadOnly(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
    } catch (UnsupportedOperationException e) {
      if (!file.toFile().setReadOnly()) {
        throw new IOException("cannot make " + file + " read-only", e);
      }
    }
  }

  private static void forceDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some platforms (Windows) cannot open a directory; the rename itself is still atomic there.
    }
  }
}
