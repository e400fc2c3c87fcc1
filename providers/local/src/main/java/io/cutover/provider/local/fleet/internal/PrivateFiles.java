// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet.internal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files and directories only the engine's user may read: instance records and logs can tell an
 * attacker ports, pids and whatever an instance prints. Permissions are given at creation (0700 for
 * directories, 0600 for files), never by a chmod afterwards, so there is no moment in which another
 * user can open them. On file systems without POSIX permissions (Windows) nothing is given and the
 * platform's defaults apply.
 */
public final class PrivateFiles {
  private static final FileAttribute<?>[] NONE = new FileAttribute<?>[0];
  private static final FileAttribute<?>[] DIR = {
    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))
  };
  private static final FileAttribute<?>[] FILE = {
    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
  };

  private PrivateFiles() {}

  /** The attributes for a new file in {@code dir}: 0600 where the file system has POSIX modes. */
  public static FileAttribute<?>[] file(Path dir) {
    return posix(dir) ? FILE.clone() : NONE;
  }

  /**
   * Creates {@code dir} and its missing parents with mode 0700 (existing ones keep their mode).
   *
   * @return {@code dir}
   */
  public static Path createDirectories(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath();
    Path parent = abs.getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      createDirectories(parent);
    }
    if (Files.isDirectory(abs)) {
      return dir;
    }
    try {
      Files.createDirectory(abs, posix(parent == null ? abs : parent) ? DIR.clone() : NONE);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(abs)) {
        throw e;
      }
    }
    return dir;
  }

  /** Creates an empty file with mode 0600 unless it exists. */
  public static void createFileIfAbsent(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    try {
      Files.createFile(file, parent == null ? NONE : file(parent));
    } catch (FileAlreadyExistsException e) {
      // Appended to by the next process of the slot.
    }
  }

  private static boolean posix(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
