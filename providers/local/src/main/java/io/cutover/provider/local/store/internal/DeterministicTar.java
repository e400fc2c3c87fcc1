// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.store.internal;

import io.cutover.api.InvalidSpecException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes a directory as a tar archive whose bytes depend only on the names, contents, symlink
 * targets and executable bits of what it holds: entries sorted by path, times fixed at the epoch,
 * owners 0, modes normalized to 0644/0755, PAX headers for long names. The same tree always gives
 * the same digest, whoever imports it and whenever.
 */
public final class DeterministicTar {
  private static final FileTime EPOCH = FileTime.fromMillis(0);

  private DeterministicTar() {}

  /** Writes the tar of {@code dir} to {@code out} (not closed). */
  public static void write(Path dir, OutputStream out) throws IOException {
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(p -> !p.equals(dir)).forEach(paths::add);
    }
    // Compare the '/'-joined relative names so the order is the same on every platform.
    paths.sort(Comparator.comparing(p -> name(dir, p)));
    TarArchiveOutputStream tar = new TarArchiveOutputStream(new NonClosing(out));
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    tar.setAddPaxHeadersForNonAsciiNames(true);
    for (Path p : paths) {
      String name = name(dir, p);
      TarArchiveEntry e;
      if (Files.isSymbolicLink(p)) {
        e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
        e.setLinkName(Files.readSymbolicLink(p).toString().replace('\\', '/'));
        e.setMode(0120777);
      } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        e = new TarArchiveEntry(name + "/", TarArchiveEntry.LF_DIR);
        e.setMode(040755);
      } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        e = new TarArchiveEntry(name, TarArchiveEntry.LF_NORMAL);
        e.setMode(Files.isExecutable(p) ? 0100755 : 0100644);
        e.setSize(Files.size(p));
      } else {
        throw new InvalidSpecException(
            "import." + name,
            "is neither a file, a directory nor a symbolic link",
            "remove device files, sockets and pipes from the directory before importing it");
      }
      e.setModTime(EPOCH);
      e.setUserId(0);
      e.setGroupId(0);
      e.setUserName("");
      e.setGroupName("");
      tar.putArchiveEntry(e);
      // Not e.isFile(): commons-compress calls a symbolic link entry a file, and the link's target
      // would be copied into an entry whose header says 0 bytes.
      if (e.isFile() && !e.isSymbolicLink()) {
        try (InputStream in = Files.newInputStream(p)) {
          in.transferTo(tar);
        }
      }
      tar.closeArchiveEntry();
    }
    tar.finish();
    tar.close();
  }

  private static String name(Path root, Path p) {
    return root.relativize(p).toString().replace('\\', '/');
  }

  /** Lets the archive write its trailer without closing the caller's stream. */
  private static final class NonClosing extends FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
