// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files of a journal directory: {@code segment-<20 digits>.log} (numbered from 1), {@code
 * snapshot.dat} (replaced atomically from {@code snapshot.dat.tmp}), {@code history.dat} and {@code
 * journal.lock}.
 */
public final class Layout {
  /** The snapshot file. */
  public static final String SNAPSHOT = "snapshot.dat";

  /** Where a snapshot is written before it atomically replaces {@link #SNAPSHOT}. */
  public static final String SNAPSHOT_TMP = "snapshot.dat.tmp";

  /** The history file. */
  public static final String HISTORY = "history.dat";

  private static final Pattern SEGMENT = Pattern.compile("segment-(\\d{20})\\.log");

  private Layout() {}

  /**
   * Attributes for a new journal file in {@code dir}: mode 0600 where the file system has POSIX
   * permissions (given at creation, so no other user can ever open it), none elsewhere. Journal
   * records name services, releases, artifacts and reasons, which are nobody else's business.
   */
  public static FileAttribute<?>[] privateFile(Path dir) {
    return posix(dir)
        ? new FileAttribute<?>[] {
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
        }
        : new FileAttribute<?>[0];
  }

  /**
   * Creates the journal directory and its missing parents with mode 0700 (given at creation;
   * directories that exist keep their mode).
   */
  public static void createPrivateDirectories(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath();
    Path parent = abs.getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      createPrivateDirectories(parent);
    }
    if (Files.isDirectory(abs)) {
      return;
    }
    FileAttribute<?>[] attrs =
        posix(parent == null ? abs : parent)
            ? new FileAttribute<?>[] {
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))
            }
            : new FileAttribute<?>[0];
    try {
      Files.createDirectory(abs, attrs);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(abs)) {
        throw e;
      }
    }
  }

  private static boolean posix(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /** The path of segment {@code number}. */
  public static Path segment(Path dir, long number) {
    return dir.resolve(String.format("segment-%020d.log", number));
  }

  /** Segment files present, by number. */
  public static TreeMap<Long, Path> segments(Path dir) throws IOException {
    TreeMap<Long, Path> out = new TreeMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "segment-*.log")) {
      for (Path p : ds) {
        Matcher m = SEGMENT.matcher(p.getFileName().toString());
        if (m.matches()) {
          out.put(Long.parseLong(m.group(1)), p);
        }
      }
    }
    return out;
  }

  /**
   * Makes the directory's entries (created, renamed, deleted files) durable. Where a directory
   * cannot be opened (Windows), its metadata is journaled by the file system and there is nothing
   * to force.
   */
  public static void forceDirectory(Path dir) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(dir, StandardOpenOption.READ);
    } catch (IOException e) {
      return;
    }
    try (ch) {
      ch.force(true);
    }
  }
}
