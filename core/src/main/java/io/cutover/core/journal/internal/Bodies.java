// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal.internal;

import io.cutover.core.journal.RolloutSummary;
import io.cutover.spi.JournalRecord;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The bodies of entries: the first byte says what the entry is, the rest are its fields. Strings
 * are a 4-byte length (-1 for null) and UTF-8 bytes; integers are big-endian.
 *
 * <p>Record types are stored as explicit codes, never as enum ordinals, so reordering {@link
 * JournalRecord.Type} cannot change the meaning of a file.
 */
public final class Bodies {
  /**
   * A {@link JournalRecord}: sequence, time, type, rollout, service, operation id, payload, and,
   * only if the record's index is not empty, the index (a 4-byte entry count, then key and value
   * strings). Bodies written before the index existed end after the payload and read back with an
   * empty index.
   */
  public static final byte RECORD = 1;

  /** A lease granted: service, rollout. */
  public static final byte LEASE = 2;

  /** A lease released: service, rollout. */
  public static final byte UNLEASE = 3;

  /** First entry of a snapshot: see {@link SnapshotMeta}. */
  public static final byte SNAPSHOT_META = 10;

  /** Last entry of a snapshot: the number of entries before it. */
  public static final byte SNAPSHOT_END = 11;

  /**
   * A {@link RolloutSummary} in the history file, its service first so a query can skip the rest.
   */
  public static final byte SUMMARY = 20;

  /**
   * Offset of the sequence inside a record body, patched by the writer when it assigns sequences.
   */
  public static final int RECORD_SEQUENCE_OFFSET = 1;

  private static final JournalRecord.Type[] TYPES = {
    null,
    JournalRecord.Type.CREATED,
    JournalRecord.Type.INTENT,
    JournalRecord.Type.DONE,
    JournalRecord.Type.FAILED,
    JournalRecord.Type.VERDICT,
    JournalRecord.Type.STATE,
    JournalRecord.Type.COMMAND,
    JournalRecord.Type.ENDED
  };

  private Bodies() {}

  /**
   * What a snapshot knows besides the retained records.
   *
   * @param nextSequence the sequence of the first record after the snapshot
   * @param anchor hash of the last entry compacted: the start hash of the first live segment
   * @param firstLiveSegment the number of the oldest segment not covered by the snapshot
   * @param historyLength committed length of the history file (0 if there is none)
   * @param historyHead hash of the last committed history entry
   * @param historyCount number of committed history entries
   */
  public record SnapshotMeta(
      long nextSequence,
      byte[] anchor,
      long firstLiveSegment,
      long historyLength,
      byte[] historyHead,
      long historyCount) {}

  /** The kind byte of a body. */
  public static byte kind(ByteBuffer body) {
    return body.get(body.position());
  }

  /** A record body; its sequence is written by {@link #patchSequence}. */
  public static byte[] record(JournalRecord r) {
    Out o = new Out(64 + r.payload().length() + r.rolloutId().length() * 2 + r.index().size() * 32);
    o.b(RECORD)
        .l(r.sequence())
        .l(r.time().getEpochSecond())
        .i(r.time().getNano())
        .b(code(r.type()))
        .s(r.rolloutId())
        .s(r.service())
        .s(r.operationId())
        .s(r.payload());
    if (!r.index().isEmpty()) {
      o.i(r.index().size());
      // sorted, so that equal records encode to equal bytes
      new TreeMap<>(r.index()).forEach((k, v) -> o.s(k).s(v));
    }
    return o.bytes();
  }

  /** Writes the sequence into a record body made by {@link #record}. */
  public static void patchSequence(byte[] body, long sequence) {
    ByteBuffer.wrap(body).putLong(RECORD_SEQUENCE_OFFSET, sequence);
  }

  /** Decodes a record body. */
  public static JournalRecord decodeRecord(ByteBuffer b) {
    return decodeRecord(b, null);
  }

  /**
   * Decodes a record body, taking its short strings from {@code strings} (recovery shares them
   * across the records it reads; see {@link StringTable}).
   */
  static JournalRecord decodeRecord(ByteBuffer b, @Nullable StringTable strings) {
    In in = new In(b, RECORD, strings);
    long seq = in.l();
    Instant time = Instant.ofEpochSecond(in.l(), in.i());
    byte code = in.b();
    if (code < 1 || code >= TYPES.length) {
      throw new IllegalArgumentException("unknown record type code " + code);
    }
    String rollout = in.str();
    String service = in.str();
    // An operation id occurs in two or three records at most: not worth a place in the table.
    String op = in.nullableStr(false);
    String payload = in.str();
    Map<String, String> index = Map.of();
    if (in.hasRemaining()) {
      int n = in.i();
      if (n < 0 || n > 4096) {
        throw new IllegalArgumentException("record index of " + n + " entries");
      }
      // Built immutable right away: JournalRecord keeps such a map as it is instead of copying it.
      Map.Entry<String, String>[] entries = entryArray(n);
      for (int i = 0; i < n; i++) {
        entries[i] = Map.entry(in.str(), in.str());
      }
      index = Map.ofEntries(entries);
    }
    in.end();
    return new JournalRecord(seq, time, rollout, service, TYPES[code], op, payload, index);
  }

  @SuppressWarnings("unchecked") // an array of a wildcard type, filled with String entries only
  private static Map.Entry<String, String>[] entryArray(int n) {
    return (Map.Entry<String, String>[]) new Map.Entry<?, ?>[n];
  }

  /** A lease or unlease body. */
  public static byte[] lease(byte kind, String service, String rolloutId) {
    return new Out(16 + service.length() + rolloutId.length())
        .b(kind)
        .s(service)
        .s(rolloutId)
        .bytes();
  }

  /** Decodes a lease or unlease body into {service, rolloutId}. */
  public static String[] decodeLease(ByteBuffer b) {
    In in = new In(b, kind(b), null);
    String[] out = {in.str(), in.str()};
    in.end();
    return out;
  }

  /** A snapshot meta body. */
  public static byte[] meta(SnapshotMeta m) {
    return new Out(128)
        .b(SNAPSHOT_META)
        .l(m.nextSequence())
        .h(m.anchor())
        .l(m.firstLiveSegment())
        .l(m.historyLength())
        .h(m.historyHead())
        .l(m.historyCount())
        .bytes();
  }

  /** Decodes a snapshot meta body. */
  public static SnapshotMeta decodeMeta(ByteBuffer b) {
    In in = new In(b, SNAPSHOT_META, null);
    SnapshotMeta m = new SnapshotMeta(in.l(), in.h(), in.l(), in.l(), in.h(), in.l());
    in.end();
    return m;
  }

  /** A snapshot end body. */
  public static byte[] end(long entries) {
    return new Out(9).b(SNAPSHOT_END).l(entries).bytes();
  }

  /** Decodes a snapshot end body. */
  public static long decodeEnd(ByteBuffer b) {
    In in = new In(b, SNAPSHOT_END, null);
    long n = in.l();
    in.end();
    return n;
  }

  /** A summary body. */
  public static byte[] summary(RolloutSummary s) {
    Out o = new Out(256);
    o.b(SUMMARY)
        .s(s.service())
        .s(s.rolloutId())
        .s(s.strategy())
        .s(s.target())
        .s(s.stable())
        .s(s.artifact())
        .s(s.config())
        .s(s.initiator())
        .i(s.annotations().size());
    s.annotations().forEach((k, v) -> o.s(k).s(v));
    o.l(s.created().getEpochSecond())
        .i(s.created().getNano())
        .l(s.ended().getEpochSecond())
        .i(s.ended().getNano())
        .s(s.outcome())
        .s(s.reason())
        .l(s.firstSequence())
        .l(s.lastSequence())
        .i(s.records());
    return o.bytes();
  }

  /** The service of a summary body, without decoding the rest. */
  public static String summaryService(ByteBuffer b) {
    return new In(b, SUMMARY, null).str();
  }

  /** Decodes a summary body. */
  public static RolloutSummary decodeSummary(ByteBuffer b) {
    In in = new In(b, SUMMARY, null);
    String service = in.str();
    String rollout = in.str();
    String strategy = in.nullableStr();
    String target = in.nullableStr();
    String stable = in.nullableStr();
    String artifact = in.nullableStr();
    String config = in.nullableStr();
    String initiator = in.nullableStr();
    int n = in.i();
    if (n < 0) {
      throw new IllegalArgumentException("negative annotation count " + n);
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      annotations.put(in.str(), in.str());
    }
    Instant created = Instant.ofEpochSecond(in.l(), in.i());
    Instant ended = Instant.ofEpochSecond(in.l(), in.i());
    RolloutSummary s =
        new RolloutSummary(
            rollout,
            service,
            strategy,
            target,
            stable,
            artifact,
            config,
            initiator,
            annotations,
            created,
            ended,
            in.nullableStr(),
            in.nullableStr(),
            in.l(),
            in.l(),
            in.i());
    in.end();
    return s;
  }

  private static byte code(JournalRecord.Type t) {
    for (byte i = 1; i < TYPES.length; i++) {
      if (TYPES[i] == t) {
        return i;
      }
    }
    throw new IllegalStateException(
        "record type " + t + " has no journal code; add it to Bodies.TYPES");
  }

  /** A growable big-endian byte sink. */
  private static final class Out {
    private byte[] buf;
    private int n;

    Out(int capacity) {
      buf = new byte[Math.max(16, capacity)];
    }

    private void room(int k) {
      if (n + k > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + k));
      }
    }

    Out b(byte v) {
      room(1);
      buf[n++] = v;
      return this;
    }

    Out i(int v) {
      room(4);
      ByteBuffer.wrap(buf, n, 4).putInt(v);
      n += 4;
      return this;
    }

    Out l(long v) {
      room(8);
      ByteBuffer.wrap(buf, n, 8).putLong(v);
      n += 8;
      return this;
    }

    Out h(byte[] hash) {
      room(hash.length);
      System.arraycopy(hash, 0, buf, n, hash.length);
      n += hash.length;
      return this;
    }

    Out s(@Nullable String v) {
      if (v == null) {
        return i(-1);
      }
      byte[] u = v.getBytes(StandardCharsets.UTF_8);
      i(u.length);
      return h(u);
    }

    byte[] bytes() {
      return n == buf.length ? buf : Arrays.copyOf(buf, n);
    }
  }

  /**
   * Reads the fields of one body, straight from its backing array (recovery decodes tens of
   * thousands of bodies; a buffer view per body was garbage). Malformed input fails with {@link
   * IllegalArgumentException} or {@link java.nio.BufferUnderflowException}; the reader turns either
   * into a corruption report.
   */
  private static final class In {
    private final byte[] a;
    private final int end;
    private final @Nullable StringTable strings;
    private int p;

    In(ByteBuffer body, byte expectedKind, @Nullable StringTable strings) {
      if (body.hasArray()) {
        a = body.array();
        p = body.arrayOffset() + body.position();
        end = body.arrayOffset() + body.limit();
      } else {
        a = new byte[body.remaining()];
        body.duplicate().get(a);
        p = 0;
        end = a.length;
      }
      this.strings = strings;
      byte k = b();
      if (k != expectedKind) {
        throw new IllegalArgumentException("entry kind " + k + ", expected " + expectedKind);
      }
    }

    private int take(int n) {
      if (end - p < n) {
        throw new BufferUnderflowException();
      }
      int at = p;
      p += n;
      return at;
    }

    byte b() {
      return a[take(1)];
    }

    int i() {
      int at = take(4);
      return (a[at] & 0xff) << 24
          | (a[at + 1] & 0xff) << 16
          | (a[at + 2] & 0xff) << 8
          | (a[at + 3] & 0xff);
    }

    long l() {
      long hi = i();
      return hi << 32 | (i() & 0xffffffffL);
    }

    byte[] h() {
      int at = take(Frames.HASH_SIZE);
      return Arrays.copyOfRange(a, at, at + Frames.HASH_SIZE);
    }

    @Nullable String nullableStr() {
      return nullableStr(true);
    }

    /** A string; taken from the table, if there is one and {@code shared}. */
    @Nullable String nullableStr(boolean shared) {
      int len = i();
      if (len == -1) {
        return null;
      }
      if (len < 0 || len > end - p) {
        throw new IllegalArgumentException(
            "string of " + len + " bytes where " + (end - p) + " remain");
      }
      int at = take(len);
      StringTable table = shared ? strings : null;
      return table == null ? new String(a, at, len, StandardCharsets.UTF_8) : table.get(a, at, len);
    }

    String str() {
      String s = nullableStr();
      if (s == null) {
        throw new IllegalArgumentException("missing string");
      }
      return s;
    }

    boolean hasRemaining() {
      return p < end;
    }

    void end() {
      if (p < end) {
        throw new IllegalArgumentException((end - p) + " unexpected bytes after the last field");
      }
    }
  }
}
