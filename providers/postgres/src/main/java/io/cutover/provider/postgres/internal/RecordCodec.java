// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres.internal;

import io.cutover.spi.JournalRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The exact bytes of a record in the {@code body} column, and the hash chain over them.
 *
 * <p>A version byte, then the time (epoch second and nanosecond), rollout id, service, type,
 * operation id (flagged), payload and index (sorted by key, so equal records encode equally), each
 * string as a 4-byte length and its UTF-8 bytes. Columns of {@code text} type would refuse a NUL
 * character and {@code timestamptz} keeps microseconds only; the body keeps everything verbatim.
 */
public final class RecordCodec {
  private static final byte VERSION = 1;

  /** The hash before the first record: 32 zero bytes. */
  public static final byte[] GENESIS = new byte[32];

  private RecordCodec() {}

  /** The encoding of a record (its sequence is not part of it). */
  public static byte[] encode(JournalRecord r) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + r.payload().length() * 2);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeLong(r.time().getEpochSecond());
      out.writeInt(r.time().getNano());
      string(out, r.rolloutId());
      string(out, r.service());
      string(out, r.type().name());
      out.writeBoolean(r.operationId() != null);
      if (r.operationId() != null) {
        string(out, r.operationId());
      }
      string(out, r.payload());
      Map<String, String> index = new TreeMap<>(r.index());
      out.writeInt(index.size());
      for (Map.Entry<String, String> e : index.entrySet()) {
        string(out, e.getKey());
        string(out, e.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Reads a record back.
   *
   * @throws IllegalArgumentException if the bytes are not an encoding of this version
   */
  public static JournalRecord decode(long sequence, byte[] body) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(body))) {
      byte version = in.readByte();
      if (version != VERSION) {
        throw new IllegalArgumentException(
            "record " + sequence + " has encoding version " + version + ", expected " + VERSION);
      }
      Instant time = Instant.ofEpochSecond(in.readLong(), in.readInt());
      String rollout = string(in);
      String service = string(in);
      JournalRecord.Type type = JournalRecord.Type.valueOf(string(in));
      @Nullable String op = in.readBoolean() ? string(in) : null;
      String payload = string(in);
      int n = in.readInt();
      Map<String, String> index = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        index.put(string(in), string(in));
      }
      return new JournalRecord(sequence, time, rollout, service, type, op, payload, index);
    } catch (IOException e) {
      throw new IllegalArgumentException("record " + sequence + " is truncated: " + e, e);
    }
  }

  /** {@code sha256(prev || seq || body)}: the link of one record into the chain. */
  public static byte[] chain(byte[] prev, long seq, byte[] body) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
    sha.update(prev);
    sha.update(ByteBuffer.allocate(8).putLong(seq).array());
    sha.update(body);
    return sha.digest();
  }

  /** {@code sha256:<hex>}. */
  public static String hex(byte[] hash) {
    StringBuilder s = new StringBuilder("sha256:");
    for (byte b : hash) {
      s.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return s.toString();
  }

  private static void string(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String string(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available()) {
      throw new IOException("string of " + n + " bytes with " + in.available() + " left");
    }
    return new String(in.readNBytes(n), StandardCharsets.UTF_8);
  }
}
