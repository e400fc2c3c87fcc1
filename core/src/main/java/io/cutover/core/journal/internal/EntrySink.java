// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Set;

/**
 * Appends framed entries to one file through a direct buffer: {@link #add} frames into the buffer
 * (and writes it out when full), {@link #flush} hands the buffer to the operating system, {@link
 * #force} makes everything durable. Not thread-safe: one owner at a time.
 */
public final class EntrySink implements AutoCloseable {
  // Starts small (opening many journals must be cheap) and grows when group commits are large.
  private static final int INITIAL_BUFFER = 64 << 10;
  private static final int MAX_BUFFER = 1 << 20;

  private final FileChannel ch;
  private final Frames.Chain chain;
  private ByteBuffer buf = ByteBuffer.allocateDirect(INITIAL_BUFFER);
  private long position;
  private boolean unforced;

  private EntrySink(FileChannel ch, long position, Frames.Chain chain) {
    this.ch = ch;
    this.position = position;
    this.chain = chain;
  }

  /**
   * Creates {@code file} (which must not exist) with {@code header}; if {@code durable}, forces the
   * file and its directory so the new file survives a crash.
   */
  public static EntrySink create(
      Path file, Frames.Header header, Frames.Chain chain, boolean durable) throws IOException {
    // A journal file always lives in the journal directory.
    Path dir = Objects.requireNonNull(file.toAbsolutePath().getParent(), "parent of " + file);
    FileChannel ch =
        FileChannel.open(
            file,
            Set.of(
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ),
            Layout.privateFile(dir));
    try {
      ByteBuffer h = header.encode();
      long at = 0;
      while (h.hasRemaining()) {
        at += ch.write(h, at);
      }
      if (durable) {
        ch.force(true);
        Layout.forceDirectory(dir);
      }
      return new EntrySink(ch, at, chain);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Continues an existing file whose intact content ends at {@code position}. */
  public static EntrySink resume(FileChannel ch, long position, Frames.Chain chain) {
    return new EntrySink(ch, position, chain);
  }

  /** The file's length once everything added is written. */
  public long size() {
    return position + buf.position();
  }

  /** The chain this sink extends. */
  public Frames.Chain chain() {
    return chain;
  }

  /** Frames {@code body} as the next entry. */
  public void add(byte[] body) throws IOException {
    int need = Frames.Chain.entrySize(body.length);
    if (buf.remaining() < need) {
      flush();
      if (buf.capacity() < need || buf.capacity() < MAX_BUFFER) {
        buf = ByteBuffer.allocateDirect(Math.max(need, Math.min(MAX_BUFFER, buf.capacity() * 2)));
      }
    }
    chain.frame(body, buf);
  }

  /** Writes buffered entries to the file (the OS page cache). */
  public void flush() throws IOException {
    buf.flip();
    while (buf.hasRemaining()) {
      position += ch.write(buf, position);
      unforced = true;
    }
    buf.clear();
  }

  /** Writes buffered entries and forces the file's content (and size) to stable storage. */
  public void force() throws IOException {
    flush();
    if (unforced) {
      ch.force(false);
      unforced = false;
    }
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
