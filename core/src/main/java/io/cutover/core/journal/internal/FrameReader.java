// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal.internal;

import io.cutover.core.journal.JournalCorruptedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * Reads one journal file front to back, checking the header, every entry's length and CRC32C, and
 * the hash chain, and hands each body to a visitor.
 *
 * <p><b>Torn tails.</b> When the file may end in a torn write (only the newest segment can), a bad
 * entry is accepted as the torn tail if no valid entry starts anywhere after it: a crash can only
 * damage the last write, while a damaged entry followed by intact ones is an edit in the middle. A
 * broken hash chain on an entry whose CRC is intact is never a torn write: it is always reported.
 *
 * <p><b>Speed.</b> The file is read in windows of a MiB. In each window the reading thread checks
 * lengths and CRCs, then decodes (visits) the entries while helper tasks on the common fork-join
 * pool compute the SHA-256 of each entry, joining them once it is done; the links are compared
 * last. Hashing dominates the cost of opening a journal (and, in a fresh JVM, runs before the JIT
 * has compiled it), so sharing it between cores shortens recovery. The helpers are optional: if the
 * pool is busy, the reading thread hashes everything itself. Errors are reported for the lowest
 * offset, exactly as a sequential reader would.
 */
public final class FrameReader {
  // Big enough to give the helpers several chunks to hash, small enough that a freshly started
  // JVM does not pay for touching megabytes of new heap (and as much again in the JDK's temporary
  // direct buffer for the read) before it decodes the first entry.
  private static final int WINDOW = 1 << 20;
  private static final int CHUNK = 512;

  /** Receives each intact entry body; the buffer is only valid during the call. */
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
  public record Result(
      Frames.Header header,
      long validLength,
      byte[] head,
      long entries,
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
  public static Result read(
      Path file, FileChannel ch, long limit, byte kind, boolean tornTailAllowed, Visitor v)
      throws IOException {
    if (limit < Frames.HEADER_SIZE) {
      throw new JournalCorruptedException(
          file, 0, "file is " + limit + " bytes, shorter than its header");
    }
    ByteBuffer h = ByteBuffer.allocate(Frames.HEADER_SIZE);
    fill(ch, h, 0);
    Frames.Header header = Frames.Header.decode(h.flip(), file, kind);
    byte[] prev = header.startHash();
    long pos = Frames.HEADER_SIZE;
    long count = 0;
    byte[] win = new byte[(int) Math.min(WINDOW, limit - pos)];
    Window w = new Window();
    while (pos < limit) {
      int n = (int) Math.min(win.length, limit - pos);
      fill(ch, ByteBuffer.wrap(win, 0, n), pos);
      w.scan(win, n, limit - pos);
      if (w.count == 0 && w.problem == null) {
        // One entry larger than the window: make room for it and read again.
        win = new byte[Frames.ENTRY_OVERHEAD + ByteBuffer.wrap(win).getInt(0)];
        continue;
      }
      Failure f = w.verify(win, pos, prev, v);
      if (f != null) {
        throw new JournalCorruptedException(file, f.offset, f.problem);
      }
      if (w.count > 0) {
        prev =
            Arrays.copyOfRange(
                w.hashes, (w.count - 1) * Frames.HASH_SIZE, w.count * Frames.HASH_SIZE);
      }
      count += w.count;
      pos += w.end;
      if (w.problem != null) {
        if (tornTailAllowed && !validEntryAfter(ch, pos, limit)) {
          return new Result(header, pos, prev, count, w.problem);
        }
        throw new JournalCorruptedException(file, pos, w.problem);
      }
    }
    return new Result(header, limit, prev, count, null);
  }

  private record Failure(long offset, String problem) {}

  /**
   * The entries of one window: found by a sequential scan, hashed in parallel, visited in order.
   */
  private static final class Window {
    private final CRC32C crc = new CRC32C();
    int[] offsets = new int[1024];
    byte[] hashes = new byte[1024 * Frames.HASH_SIZE];
    int count;
    int end;
    @Nullable String problem;

    /**
     * Finds the entries lying wholly in {@code win[0, n)}, checking lengths and CRCs; stops at the
     * first damaged entry ({@link #problem}) or at one that continues past the window ({@code
     * remaining} is what is left of the file from the window's start).
     */
    void scan(byte[] win, int n, long remaining) {
      count = 0;
      end = 0;
      problem = null;
      while (end < n) {
        long left = remaining - end;
        if (left < Frames.ENTRY_OVERHEAD) {
          problem = "entry header cut short (" + left + " of " + Frames.ENTRY_OVERHEAD + " bytes)";
          return;
        }
        if (n - end < Frames.ENTRY_OVERHEAD) {
          return; // the next window starts here
        }
        int len = intAt(win, end);
        if (len < 1 || len > Frames.MAX_BODY) {
          problem = "impossible entry length " + len;
          return;
        }
        if (left < Frames.ENTRY_OVERHEAD + (long) len) {
          problem =
              "entry of "
                  + (Frames.ENTRY_OVERHEAD + len)
                  + " bytes runs past the end of the file ("
                  + left
                  + " bytes left)";
          return;
        }
        if (n - end < Frames.ENTRY_OVERHEAD + len) {
          return;
        }
        crc.reset();
        crc.update(win, end, 4);
        crc.update(win, end + 8, Frames.HASH_SIZE + len);
        if ((int) crc.getValue() != intAt(win, end + 4)) {
          problem = "CRC32C mismatch";
          return;
        }
        if (count == offsets.length) {
          offsets = Arrays.copyOf(offsets, count * 2);
        }
        offsets[count++] = end;
        end += Frames.ENTRY_OVERHEAD + len;
      }
    }

    /**
     * Hashes every entry (with helpers), visits them in order, then checks the chain links; returns
     * the damage with the lowest offset, or null.
     */
    @Nullable Failure verify(byte[] win, long base, byte[] prev, Visitor v) {
      if (count == 0) {
        return null;
      }
      if (hashes.length < count * Frames.HASH_SIZE) {
        hashes = new byte[count * Frames.HASH_SIZE];
      }
      int chunks = (count + CHUNK - 1) / CHUNK;
      Hashing hashing = new Hashing(win, offsets, hashes, count, chunks);
      int helpers = Math.min(chunks - 1, ForkJoinPool.getCommonPoolParallelism());
      CompletableFuture<?>[] started = new CompletableFuture<?>[Math.max(0, helpers)];
      for (int i = 0; i < started.length; i++) {
        // The common pool explicitly: with one core to spare, runAsync's default would start a new
        // thread per window.
        started[i] = CompletableFuture.runAsync(hashing::work, ForkJoinPool.commonPool());
      }
      Failure visited = null;
      ByteBuffer all = ByteBuffer.wrap(win);
      for (int i = 0; i < count; i++) {
        int off = offsets[i];
        int len = intAt(win, off);
        try {
          // One view moved from body to body: a slice per entry was garbage.
          all.clear()
              .position(off + Frames.ENTRY_OVERHEAD)
              .limit(off + Frames.ENTRY_OVERHEAD + len);
          v.entry(all, base + off);
        } catch (JournalCorruptedException e) {
          visited = new Failure(e.offset(), e.problem());
          break;
        } catch (RuntimeException e) {
          visited = new Failure(base + off, "undecodable entry: " + e);
          break;
        }
      }
      hashing.work();
      hashing.awaitAll();
      for (int i = 0; i < count; i++) {
        int off = offsets[i];
        boolean linked =
            i == 0
                ? Arrays.equals(win, off + 8, off + 8 + Frames.HASH_SIZE, prev, 0, Frames.HASH_SIZE)
                : Arrays.equals(
                    win,
                    off + 8,
                    off + 8 + Frames.HASH_SIZE,
                    hashes,
                    (i - 1) * Frames.HASH_SIZE,
                    i * Frames.HASH_SIZE);
        if (!linked) {
          Failure broken =
              new Failure(
                  base + off,
                  "hash chain broken: this entry does not follow the one before"
                      + " it (an entry was edited, removed or reordered)");
          return visited != null && visited.offset < broken.offset ? visited : broken;
        }
      }
      return visited;
    }
  }

  /** Hashes chunks of entries; any number of threads may call {@link #work}. */
  private static final class Hashing {
    private final byte[] win;
    private final int[] offsets;
    private final byte[] hashes;
    private final int count;
    private final int chunks;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger done = new AtomicInteger();
    private volatile @Nullable RuntimeException failure;

    Hashing(byte[] win, int[] offsets, byte[] hashes, int count, int chunks) {
      this.win = win;
      this.offsets = offsets;
      this.hashes = hashes;
      this.count = count;
      this.chunks = chunks;
    }

    void work() {
      MessageDigest sha = null;
      int c;
      while ((c = next.getAndIncrement()) < chunks) {
        try {
          if (sha == null) {
            sha = Frames.sha256();
          }
          int to = Math.min(count, (c + 1) * CHUNK);
          for (int i = c * CHUNK; i < to; i++) {
            int off = offsets[i];
            sha.update(win, off, Frames.ENTRY_OVERHEAD + intAt(win, off));
            sha.digest(hashes, i * Frames.HASH_SIZE, Frames.HASH_SIZE);
          }
        } catch (DigestException | RuntimeException e) {
          failure = new IllegalStateException("hashing journal entries failed", e);
        } finally {
          synchronized (this) {
            if (done.incrementAndGet() == chunks) {
              notifyAll();
            }
          }
        }
      }
    }

    /** Waits for chunks that helpers claimed and are still hashing; all others are done by now. */
    synchronized void awaitAll() {
      boolean interrupted = false;
      while (done.get() < chunks) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      RuntimeException f = failure;
      if (f != null) {
        throw f;
      }
    }
  }

  private static int intAt(byte[] a, int off) {
    return (a[off] & 0xff) << 24
        | (a[off + 1] & 0xff) << 16
        | (a[off + 2] & 0xff) << 8
        | (a[off + 3] & 0xff);
  }

  private static void fill(FileChannel ch, ByteBuffer b, long at) throws IOException {
    while (b.hasRemaining()) {
      if (ch.read(b, at + b.position()) < 0) {
        throw new IOException("file ended while reading at " + (at + b.position()));
      }
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
}
