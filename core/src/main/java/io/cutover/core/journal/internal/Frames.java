// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal.internal;

import io.cutover.core.journal.JournalCorruptedException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * The on-disk framing shared by segments, the snapshot and the history file.
 *
 * <pre>
 * file header, 64 bytes:
 *   magic "CUTOVERJ" | kind (S segment, P snapshot, H history) | version 1 | 2 reserved zero bytes
 *   | file number (8) | next sequence (8) | start hash (32) | CRC32C of the preceding 60 bytes (4)
 * entry, 40 + length bytes:
 *   length of body (4) | CRC32C over length, previous hash and body (4) | SHA-256 of the previous entry (32)
 *   | body (length bytes, first byte = body kind, see {@link Bodies})
 * </pre>
 *
 * The first entry's previous hash is the header's start hash; an entry's own hash is the SHA-256 of
 * all its bytes. All integers are big-endian.
 */
public final class Frames {
  /** Size of a file header. */
  public static final int HEADER_SIZE = 64;

  /** Bytes of an entry besides its body. */
  public static final int ENTRY_OVERHEAD = 40;

  /** Largest body accepted; larger ones are refused at append and treated as damage when read. */
  public static final int MAX_BODY = 16 << 20;

  /** Size of a SHA-256 hash. */
  public static final int HASH_SIZE = 32;

  /** The start hash of a chain that follows nothing. */
  public static final byte[] ZERO_HASH = new byte[HASH_SIZE];

  /** Header kind of a segment file. */
  public static final byte SEGMENT = 'S';

  /** Header kind of the snapshot file. */
  public static final byte SNAPSHOT = 'P';

  /** Header kind of the history file. */
  public static final byte HISTORY = 'H';

  private static final byte[] MAGIC = "CUTOVERJ".getBytes(StandardCharsets.US_ASCII);
  private static final byte VERSION = 1;

  private Frames() {}

  /**
   * A file header.
   *
   * @param kind {@link #SEGMENT}, {@link #SNAPSHOT} or {@link #HISTORY}
   * @param number the segment number (0 for other files)
   * @param nextSequence the sequence the next record in this file gets (segments) or 0
   * @param startHash the previous hash of the file's first entry
   */
  public record Header(byte kind, long number, long nextSequence, byte[] startHash) {
    /** The encoded header. */
    public ByteBuffer encode() {
      ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE);
      b.put(MAGIC).put(kind).put(VERSION).put((byte) 0).put((byte) 0);
      b.putLong(number).putLong(nextSequence).put(startHash);
      CRC32C crc = new CRC32C();
      crc.update(b.array(), 0, HEADER_SIZE - 4);
      b.putInt((int) crc.getValue());
      return b.flip();
    }

    /** Decodes and checks a header, naming {@code file} in any error. */
    public static Header decode(ByteBuffer b, Path file, byte expectedKind) {
      if (b.remaining() < HEADER_SIZE) {
        throw new JournalCorruptedException(
            file, 0, "file header is " + b.remaining() + " bytes, expected " + HEADER_SIZE);
      }
      byte[] h = new byte[HEADER_SIZE];
      b.get(h);
      CRC32C crc = new CRC32C();
      crc.update(h, 0, HEADER_SIZE - 4);
      ByteBuffer v = ByteBuffer.wrap(h);
      if (!Arrays.equals(h, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
        throw new JournalCorruptedException(file, 0, "not a Cutover journal file (bad magic)");
      }
      if (v.getInt(HEADER_SIZE - 4) != (int) crc.getValue()) {
        throw new JournalCorruptedException(file, 0, "file header CRC32C mismatch");
      }
      if (h[8] != expectedKind) {
        throw new JournalCorruptedException(
            file, 0, "file kind '" + (char) h[8] + "', expected '" + (char) expectedKind + "'");
      }
      if (h[9] != VERSION) {
        throw new JournalCorruptedException(
            file,
            0,
            "format version "
                + h[9]
                + " is not supported (this"
                + " version reads "
                + VERSION
                + "); open it with the Cutover version that wrote it");
      }
      return new Header(
          h[8], v.getLong(12), v.getLong(20), Arrays.copyOfRange(h, 28, 28 + HASH_SIZE));
    }
  }

  /** A new SHA-256 digest. */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }

  /** {@code sha256:<hex>}. */
  public static String hex(byte[] hash) {
    return "sha256:" + HexFormat.of().formatHex(hash);
  }

  /**
   * The head of a hash chain: frames bodies into entries that each carry the hash of the one
   * before. Not thread-safe; one chain per writer.
   */
  public static final class Chain {
    private final MessageDigest sha = sha256();
    private final CRC32C crc = new CRC32C();
    private byte[] head;

    /** A chain whose next entry follows {@code head}. */
    public Chain(byte[] head) {
      this.head = head.clone();
    }

    /** The hash of the last entry framed (or the start hash). */
    public byte[] head() {
      return head.clone();
    }

    /** Bytes an entry with a body of {@code bodyLength} takes. */
    public static int entrySize(int bodyLength) {
      return ENTRY_OVERHEAD + bodyLength;
    }

    /**
     * Appends one entry holding {@code body} to {@code out}, which must have room, and advances the
     * head.
     */
    public void frame(byte[] body, ByteBuffer out) {
      int start = out.position();
      out.putInt(body.length);
      int crcAt = out.position();
      out.putInt(0);
      out.put(head);
      out.put(body);
      crc.reset();
      crc.update(out.duplicate().position(start).limit(crcAt));
      crc.update(head);
      crc.update(body);
      out.putInt(crcAt, (int) crc.getValue());
      sha.update(out.duplicate().position(start).limit(out.position()));
      head = sha.digest();
    }
  }
}
