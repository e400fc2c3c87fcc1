// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
