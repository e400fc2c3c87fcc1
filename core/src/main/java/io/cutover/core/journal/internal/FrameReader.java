package io.cutover.core.journal.internal;

import io.cutover.core.journal.JournalCorruptedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * Reads one journal file front to back, checking the header, every entry's length and CRC32C, and the
 * hash chain, and hands each body to a visitor.
 *
 * <p><b>Torn tails.</b> When the file may end in a torn write (only the newest segment can), a bad entry
 * is accepted as the torn tail if no valid entry starts anywhere after it: a crash can only damage the
 * last write, while a damaged entry followed by intact ones is an edit in the middle. A broken hash
 * chain on an entry whose CRC is intact is never a torn write: it is always reported.
 */
public final class FrameReader {
  private static final int BUFFER = 1 << 20;

  /** Receives each verified entry body; the buffer is only valid during the call. */
  @FunctionalInterface
  public interface Visitor {
    /**
     * @param body the body, positioned at its kind byte
     * @param offset the entry's offset in the file, for error reports
     */
    void entry(ByteBuffer body, long offset);
  }

  /**
   * What a read found.
   *
   * @param header the file header
   * @param validLength bytes of the file that hold the header and intact entries
   * @param head hash of the last intact entry (the header's start hash if there is none)
   * @param entries number of intact entries
   * @param tornProblem what was wrong with the torn tail, or null if the file ended cleanly
   */
  public record Result(Frames.Header header, long validLength, byte[] head, long entries,
      @Nullable String tornProblem) {
    /** Whether a torn tail was found (and must be truncated). */
    public boolean torn() {
      return tornProblem != null;
    }
  }

  private FrameReader() {}

  /**
   * Reads {@code file} up to {@code limit} bytes.
   *
   * @param tornTailAllowed whether a damaged last entry may be reported as torn rather than corrupt
   * @throws JournalCorruptedException naming the file and offset of the first damage
   */
  public static Result read(Path file, FileChannel ch, long limit, byte kind, boolean tornTailAllowed, Visitor v)
      throws IOException {
    Input in = new Input(ch, limit, (int) Math.min(BUFFER, Math.max(Frames.HEADER_SIZE, limit)));
    if (!in.ensure(Frames.HEADER_SIZE)) {
      throw new JournalCorruptedException(file, 0, "file is " + limit + " bytes, shorter than its header");
    }
    Frames.Header header = Frames.Header.decode(in.buf, file, kind);
    byte[] prev = header.startHash();
    MessageDigest sha = Frames.sha256();
    CRC32C crc = new CRC32C();
    long count = 0;
    while (true) {
      long off = in.position();
      if (off >= limit) {
        return new Result(header, limit, prev, count, null);
      }
      long remaining = limit - off;
      String problem;
      if (remaining < Frames.ENTRY_OVERHEAD) {
        problem = "entry header cut short (" + remaining + " of " + Frames.ENTRY_OVERHEAD + " bytes)";
      } else {
        in.ensure(Frames.ENTRY_OVERHEAD);
        int len = in.buf.getInt(in.buf.position());
        if (len < 1 || len > Frames.MAX_BODY) {
          problem = "impossible entry length " + len;
        } else if (remaining < Frames.ENTRY_OVERHEAD + (long) len) {
          problem = "entry of " + (Frames.ENTRY_OVERHEAD + len) + " bytes runs past the end of the file ("
              + remaining + " bytes left)";
        } else {
          in.ensure(Frames.ENTRY_OVERHEAD + len);
          byte[] a = in.buf.array();
          int p = in.buf.arrayOffset() + in.buf.position();
          crc.reset();
          crc.update(a, p, 4);
          crc.update(a, p + 8, Frames.HASH_SIZE + len);
          if ((int) crc.getValue() != in.buf.getInt(in.buf.position() + 4)) {
            problem = "CRC32C mismatch";
          } else if (!Arrays.equals(a, p + 8, p + 8 + Frames.HASH_SIZE, prev, 0, Frames.HASH_SIZE)) {
            throw new JournalCorruptedException(file, off, "hash chain broken: this entry does not follow the"
                + " one before it (an entry was edited, removed or reordered)");
          } else {
            sha.update(a, p, Frames.ENTRY_OVERHEAD + len);
            prev = sha.digest();
            ByteBuffer body = in.buf.slice(in.buf.position() + Frames.ENTRY_OVERHEAD, len);
            try {
              v.entry(body, off);
            } catch (JournalCorruptedException e) {
              throw e;
            } catch (RuntimeException e) {
              throw new JournalCorruptedException(file, off, "undecodable entry: " + e);
            }
            in.buf.position(in.buf.position() + Frames.ENTRY_OVERHEAD + len);
            count++;
            continue;
          }
        }
      }
      if (tornTailAllowed && !validEntryAfter(ch, off, limit)) {
        return new Result(header, off, prev, count, problem);
      }
      throw new JournalCorruptedException(file, off, problem);
    }
  }

  /** Whether an intact entry (length in range, CRC32C matching) starts anywhere in (off, limit). */
  private static boolean validEntryAfter(FileChannel ch, long off, long limit) throws IOException {
    long span = limit - off - 1;
    if (span < Frames.ENTRY_OVERHEAD + 1) {
      return false;
    }
    if (span > Integer.MAX_VALUE - 8) {
      return true; // cannot rule out intact data after a damage this far from the end: report it
    }
    ByteBuffer region = ByteBuffer.allocate((int) span);
    while (region.hasRemaining() && ch.read(region, off + 1 + region.position()) >= 0) {
      // keep reading until the region is full or the file ends
    }
    byte[] a = region.array();
    int n = region.position();
    CRC32C crc = new CRC32C();
    for (int y = 0; y + Frames.ENTRY_OVERHEAD < n; y++) {
      int len = region.getInt(y);
      if (len < 1 || len > Frames.MAX_BODY || y + Frames.ENTRY_OVERHEAD + (long) len > n) {
        continue;
      }
      crc.reset();
      crc.update(a, y, 4);
      crc.update(a, y + 8, Frames.HASH_SIZE + len);
      if ((int) crc.getValue() == region.getInt(y + 4)) {
        return true;
      }
    }
    return false;
  }

  /** A window over the file that refills as the reader advances. */
  private static final class Input {
    private final FileChannel ch;
    private final long limit;
    ByteBuffer buf;
    private long base;

    Input(FileChannel ch, long limit, int capacity) {
      this.ch = ch;
      this.limit = limit;
      this.buf = ByteBuffer.allocate(capacity).limit(0);
    }

    long position() {
      return base + buf.position();
    }

    /** Makes {@code n} bytes available at the position; false if the file (up to the limit) ends first. */
    boolean ensure(int n) throws IOException {
      if (buf.remaining() >= n) {
        return true;
      }
      long pos = position();
      if (limit - pos < n) {
        return false;
      }
      if (buf.capacity() >= n) {
        buf.compact();
      } else {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(n, buf.capacity() * 2));
        bigger.put(buf);
        buf = bigger;
      }
      base = pos;
      while (buf.position() < n) {
        long at = base + buf.position();
        int want = (int) Math.min(buf.capacity() - buf.position(), limit - at);
        if (want <= 0) {
          break;
        }
        int saved = buf.limit();
        buf.limit(buf.position() + want);
        int r = ch.read(buf, at);
        buf.limit(saved);
        if (r < 0) {
          break;
        }
      }
      buf.flip();
      return buf.remaining() >= n;
    }
  }
}
