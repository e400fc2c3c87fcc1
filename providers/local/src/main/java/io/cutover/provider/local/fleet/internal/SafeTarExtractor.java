// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet.internal;

import io.cutover.provider.local.fleet.ArtifactLimits;
import io.cutover.provider.local.fleet.UnsafeArtifactException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Unpacks a tar archive (already verified against its digest) into a new directory and refuses
 * anything that could reach outside it or fill the disk: names with {@code ..}, symbolic links with
 * an absolute target or one that leaves the directory (also when followed through other links),
 * entries whose path passes through a symbolic link, hard links, devices, FIFOs, sparse files, a
 * path given twice, more entries or bytes than the {@link ArtifactLimits}. Files are created with
 * {@code CREATE_NEW} and {@code NOFOLLOW_LINKS}, so nothing that exists is ever opened. One
 * instance per archive; not thread-safe.
 */
final class SafeTarExtractor {
  /** Symbolic links the kernel follows in one lookup before it gives up (Linux MAXSYMLINKS). */
  private static final int MAX_LINKS_FOLLOWED = 40;

  private final String artifact;
  private final ArtifactLimits limits;
  private final List<Path> links = new ArrayList<>();
  private int entries;
  private long bytes;

  SafeTarExtractor(String artifact, ArtifactLimits limits) {
    this.artifact = artifact;
    this.limits = limits;
  }

  /**
   * Unpacks {@code archive} into {@code root}, which must not exist yet.
   *
   * @throws UnsafeArtifactException naming the first offending entry
   * @throws IOException if the file system fails
   */
  void extract(Path archive, Path root) throws IOException {
    Files.createDirectory(root);
    try (InputStream raw = Files.newInputStream(archive, LinkOption.NOFOLLOW_LINKS);
        TarArchiveInputStream tar = new TarArchiveInputStream(new BufferedInputStream(raw))) {
      for (TarArchiveEntry e = next(tar); e != null; e = next(tar)) {
        entry(tar, e, root);
      }
    }
    // Only now are all links in place, so chains through links created later are seen too.
    for (Path link : links) {
      List<String> at = components(root.relativize(link.getParent()));
      if (!follow(root, at, Files.readSymbolicLink(link), new int[] {MAX_LINKS_FOLLOWED})) {
        throw unsafe(
            root.relativize(link).toString(),
            "is a symbolic link that leads outside the artifact when followed (or loops)",
            "make every link point to a path inside the artifact");
      }
    }
  }

  private TarArchiveEntry next(TarArchiveInputStream tar) throws IOException {
    try {
      return tar.getNextEntry();
    } catch (IOException | IllegalArgumentException e) {
      // The archive matched its digest, so it is the artifact itself that is malformed.
      throw new UnsafeArtifactException(
          artifact,
          "the tar archive",
          "cannot be read after " + entries + " entries: " + e.getMessage(),
          "rebuild the artifact (FilesystemArtifactStore.importDirectory writes valid archives)");
    }
  }

  private void entry(TarArchiveInputStream tar, TarArchiveEntry e, Path root) throws IOException {
    String name = e.getName();
    if (++entries > limits.maxEntries()) {
      throw unsafe(
          name,
          "makes the archive hold more than " + limits.maxEntries() + " entries",
          "ship fewer files, or raise ArtifactLimits.maxEntries of the fleet");
    }
    // Types first: a hard link or a device named "x/" must not pass as a directory.
    if (e.isLink()) {
      throw unsafe(name, "is a hard link", "replace it by a copy or a relative symbolic link");
    }
    if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
      throw unsafe(
          name, "is a device or FIFO", "remove special files from the directory before importing");
    }
    if (e.isSparse()) {
      throw unsafe(name, "is a sparse file", "store it as a regular file");
    }
    Path out = resolve(root, name, e.isDirectory());
    if (!out.equals(root)) {
      parents(root, out, name);
    }
    if (e.isSymbolicLink()) {
      symlink(root, out, name, e.getLinkName());
    } else if (e.isDirectory()) {
      directory(out, name);
    } else if (isRegular(e)) {
      file(tar, e, out, name);
    } else {
      throw unsafe(
          name,
          "has tar type '" + Printable.quote(String.valueOf((char) e.getLinkFlag())) + "'",
          "store only regular files, directories and symbolic links");
    }
  }

  private static boolean isRegular(TarArchiveEntry e) {
    byte t = e.getLinkFlag();
    return t == TarConstants.LF_NORMAL
        || t == TarConstants.LF_OLDNORM
        || t == TarConstants.LF_CONTIG;
  }

  private Path resolve(Path root, String name, boolean directory) {
    Path rel;
    try {
      rel = root.getFileSystem().getPath(name);
    } catch (InvalidPathException ex) {
      throw unsafe(name, "is not a valid path here", "use plain relative names");
    }
    if (name.isEmpty() || rel.isAbsolute()) {
      throw unsafe(name, "is not a relative path", "use names relative to the artifact root");
    }
    for (Path c : rel) {
      if (c.toString().equals("..")) {
        throw unsafe(name, "contains '..'", "use names that stay below the artifact root");
      }
    }
    Path out = root.resolve(rel).normalize();
    if (!out.startsWith(root) || (out.equals(root) && !directory)) {
      throw unsafe(name, "does not name a path inside the artifact", "use a plain relative name");
    }
    return out;
  }

  /** Creates the missing parents of {@code out}, refusing any that is a link or not a directory. */
  private void parents(Path root, Path out, String name) throws IOException {
    Path cur = root;
    for (Path c : root.relativize(out.getParent() == null ? root : out.getParent())) {
      if (c.toString().isEmpty()) {
        continue;
      }
      cur = cur.resolve(c);
      BasicFileAttributes a;
      try {
        a = Files.readAttributes(cur, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException ex) {
        Files.createDirectory(cur);
        continue;
      }
      if (a.isSymbolicLink()) {
        throw unsafe(
            name,
            "passes through the symbolic link '"
                + Printable.quote(root.relativize(cur).toString())
                + "'",
            "store the entry under its real directory, not through a link");
      }
      if (!a.isDirectory()) {
        throw unsafe(
            name,
            "lies under '"
                + Printable.quote(root.relativize(cur).toString())
                + "', which is a file",
            "remove the conflicting entries");
      }
    }
  }

  private void symlink(Path root, Path out, String name, String target) throws IOException {
    Path t;
    try {
      t = root.getFileSystem().getPath(target);
    } catch (InvalidPathException ex) {
      throw unsafe(name, "is a symbolic link to an invalid path", "point it inside the artifact");
    }
    if (target.isEmpty() || t.isAbsolute()) {
      throw unsafe(
          name,
          "is a symbolic link to the absolute path '" + Printable.quote(target) + "'",
          "use a relative target inside the artifact");
    }
    Path parent = out.getParent() == null ? root : out.getParent();
    if (!parent.resolve(t).normalize().startsWith(root)) {
      throw unsafe(
          name,
          "is a symbolic link to '" + Printable.quote(target) + "', outside the artifact",
          "use a relative target inside the artifact");
    }
    try {
      Files.createSymbolicLink(out, t);
    } catch (FileAlreadyExistsException ex) {
      throw twice(name);
    }
    links.add(out);
  }

  private void directory(Path out, String name) throws IOException {
    try {
      Files.createDirectory(out);
    } catch (FileAlreadyExistsException ex) {
      // A directory listed again (or implied by an earlier entry) is harmless; anything else is
      // not.
      if (!Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)) {
        throw twice(name);
      }
    }
  }

  private void file(TarArchiveInputStream tar, TarArchiveEntry e, Path out, String name)
      throws IOException {
    long size = e.getSize();
    long left = limits.maxBytes() - bytes;
    if (size < 0 || size > left) {
      throw unsafe(
          name,
          "declares "
              + size
              + " bytes; the artifact may unpack to "
              + limits.maxBytes()
              + " bytes in all and "
              + left
              + " are left",
          "ship smaller files, or raise ArtifactLimits.maxBytes of the fleet");
    }
    try (OutputStream o =
        Files.newOutputStream(
            out,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS)) {
      // The tar stream ends each entry at its declared size, so this writes at most `size` bytes.
      bytes += tar.transferTo(o);
    } catch (FileAlreadyExistsException ex) {
      throw twice(name);
    }
    if ((e.getMode() & 0100) != 0) {
      ArtifactCache.makeExecutable(out);
    }
  }

  /**
   * Walks a link's target as the kernel would, from {@code at} (the link's directory, as names
   * below root), following links it meets; false once it would leave root or follow too many.
   */
  private static boolean follow(Path root, List<String> at, Path target, int[] budget)
      throws IOException {
    if (target.isAbsolute() || --budget[0] < 0) {
      return false;
    }
    for (Path c : target) {
      String s = c.toString();
      if (s.isEmpty() || s.equals(".")) {
        continue;
      }
      if (s.equals("..")) {
        if (at.isEmpty()) {
          return false;
        }
        at.remove(at.size() - 1);
        continue;
      }
      at.add(s);
      Path p = root.resolve(String.join("/", at));
      if (Files.isSymbolicLink(p)) {
        at.remove(at.size() - 1);
        if (!follow(root, at, Files.readSymbolicLink(p), budget)) {
          return false;
        }
      }
    }
    return true;
  }

  private static List<String> components(Path rel) {
    List<String> out = new ArrayList<>();
    for (Path c : rel) {
      if (!c.toString().isEmpty()) {
        out.add(c.toString());
      }
    }
    return out;
  }

  private UnsafeArtifactException twice(String name) {
    return unsafe(name, "appears twice in the archive", "list every path once");
  }

  private UnsafeArtifactException unsafe(String name, String problem, String fix) {
    return new UnsafeArtifactException(
        artifact, "tar entry '" + Printable.quote(name) + "'", problem, fix);
  }
}
