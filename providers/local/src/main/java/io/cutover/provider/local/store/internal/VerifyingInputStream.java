// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.store.internal;

import io.cutover.api.Digest;
import io.cutover.api.DigestMismatchException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Hashes what passes through and throws {@link DigestMismatchException} when the end is reached and
 * the content does not match: a reader can never consume a corrupted blob to its end unnoticed. Not
 * thread-safe, like any stream.
 */
public final class VerifyingInputStream extends FilterInputStream {
  private final Digest expected;
  private final String subject;
  private final MessageDigest md;
  private boolean checked;

  public VerifyingInputStream(InputStream in, Digest expected, String subject) {
    super(in);
    this.expected = expected;
    this.subject = subject;
    this.md = expected.algorithm().newMessageDigest();
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b < 0) {
      check();
    } else {
      md.update((byte) b);
    }
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = super.read(buf, off, len);
    if (n < 0) {
      check();
    } else {
      md.update(buf, off, n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    // Skipped bytes must still be hashed, so skipping reads.
    byte[] buf = new byte[8192];
    long total = 0;
    while (total < n) {
      int r = read(buf, 0, (int) Math.min(buf.length, n - total));
      if (r < 0) {
        break;
      }
      total += r;
    }
    return total;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  private void check() {
    if (checked) {
      return;
    }
    checked = true;
    Digest actual = Digest.of(expected.algorithm(), HexFormat.of().formatHex(md.digest()));
    if (!actual.equals(expected)) {
      throw new DigestMismatchException(subject, expected, actual);
    }
  }
}
