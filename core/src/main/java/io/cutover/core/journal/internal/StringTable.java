// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal.internal;

import java.nio.charset.StandardCharsets;

/**
 * Shares equal short strings while one recovery decodes records. A journal repeats the same few
 * strings over and over: every record of a rollout carries its id and service, index keys come from
 * a fixed set, and most payloads besides CREATED are short JSON objects that recur across rollouts.
 * Decoding each occurrence into its own {@code String} filled the heap of a freshly started engine
 * with copies (more than a quarter of what opening 10 000 rollouts kept), and allocating and then
 * garbage-collecting that memory was a large part of the open's cost.
 *
 * <p>Looks strings up by their UTF-8 bytes, so a repeated string costs no allocation at all. Only
 * ASCII strings of at most {@link #MAX_LENGTH} bytes are shared (for those the bytes' hash is the
 * {@code String}'s hash, and comparing them needs no decoding); others are decoded as usual. The
 * table stops growing at {@link #MAX_ENTRIES} strings, so distinct values cannot make it large. Not
 * thread-safe: one per reading thread.
 */
final class StringTable {
  /** Longest string shared, in bytes. */
  static final int MAX_LENGTH = 64;

  /** Most strings kept. */
  static final int MAX_ENTRIES = 1 << 16;

  // Open addressing; the strings' hashes beside them, so a probe never calls String.hashCode.
  // Sized for a few thousand rollouts, so that a large journal grows it only a few times.
  private String[] table = new String[1 << 13];
  private int[] hashes = new int[1 << 13];
  private int size;

  /** The string of the UTF-8 bytes {@code a[off, off + len)}, shared if it was seen before. */
  String get(byte[] a, int off, int len) {
    if (len > MAX_LENGTH) {
      return new String(a, off, len, StandardCharsets.UTF_8);
    }
    int h = 0;
    for (int i = off; i < off + len; i++) {
      byte b = a[i];
      if (b < 0) {
        return new String(a, off, len, StandardCharsets.UTF_8);
      }
      h = 31 * h + b;
    }
    int mask = table.length - 1;
    int slot = mix(h) & mask;
    String s;
    while ((s = table[slot]) != null) {
      if (hashes[slot] == h && sameAscii(s, a, off, len)) {
        return s;
      }
      slot = (slot + 1) & mask;
    }
    String created = new String(a, off, len, StandardCharsets.ISO_8859_1);
    if (size < MAX_ENTRIES) {
      table[slot] = created;
      hashes[slot] = h;
      if (++size * 2 > table.length) {
        grow();
      }
    }
    return created;
  }

  private static boolean sameAscii(String s, byte[] a, int off, int len) {
    if (s.length() != len) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      if (s.charAt(i) != a[off + i]) {
        return false;
      }
    }
    return true;
  }

  private static int mix(int h) {
    return h ^ (h >>> 16);
  }

  private void grow() {
    String[] old = table;
    int[] oldHashes = hashes;
    table = new String[old.length * 2];
    hashes = new int[old.length * 2];
    int mask = table.length - 1;
    for (int i = 0; i < old.length; i++) {
      if (old[i] != null) {
        int slot = mix(oldHashes[i]) & mask;
        while (table[slot] != null) {
          slot = (slot + 1) & mask;
        }
        table[slot] = old[i];
        hashes[slot] = oldHashes[i];
      }
    }
  }
}
