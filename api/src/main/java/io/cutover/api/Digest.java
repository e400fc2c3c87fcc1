// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * A content digest such as {@code sha256:9f86d0...}: the identity of immutable content.
 *
 * <p>Supports {@code sha256} and {@code sha512}; the hex part is lowercase and of the algorithm's
 * exact length. Equality is constant-time in the hex digits, so comparing a presented digest with a
 * stored one leaks nothing through timing. Instances are immutable and thread-safe.
 */
public final class Digest {
  /** The supported hash algorithms. */
  public enum Algorithm {
    /** SHA-256, 64 hex digits. */
    SHA256("sha256", "SHA-256", 64),
    /** SHA-512, 128 hex digits. */
    SHA512("sha512", "SHA-512", 128);

    private final String prefix;
    private final String jcaName;
    private final int hexLength;

    Algorithm(String prefix, String jcaName, int hexLength) {
      this.prefix = prefix;
      this.jcaName = jcaName;
      this.hexLength = hexLength;
    }

    /** The name used in digest strings, e.g. {@code sha256}. */
    public String prefix() {
      return prefix;
    }

    /** Number of hex digits of a digest of this algorithm. */
    public int hexLength() {
      return hexLength;
    }

    /** A fresh JCA {@link MessageDigest} for this algorithm. */
    public MessageDigest newMessageDigest() {
      try {
        return MessageDigest.getInstance(jcaName);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("JDK lacks " + jcaName, e);
      }
    }

    static @Nullable Algorithm fromPrefix(String prefix) {
      for (Algorithm a : values()) {
        if (a.prefix.equals(prefix)) {
          return a;
        }
      }
      return null;
    }
  }

  private final Algorithm algorithm;
  private final String hex;

  private Digest(Algorithm algorithm, String hex) {
    this.algorithm = algorithm;
    this.hex = hex;
  }

  /**
   * Parses {@code algorithm:hex}.
   *
   * @throws InvalidSpecException naming the field {@code digest} if the text is not a valid digest
   */
  public static Digest parse(String text) {
    return parse(text, "digest");
  }

  /**
   * Parses {@code algorithm:hex}, naming {@code field} in any error.
   *
   * @throws InvalidSpecException if the text is not a valid digest
   */
  public static Digest parse(@Nullable String text, String field) {
    text = Check.notNull(text, field);
    int colon = text.indexOf(':');
    Algorithm algorithm = colon < 0 ? null : Algorithm.fromPrefix(text.substring(0, colon));
    if (algorithm == null) {
      throw new InvalidSpecException(
          field,
          "'" + text + "' does not start with 'sha256:' or 'sha512:'",
          "write a digest as sha256:<64 lowercase hex digits>");
    }
    return of(algorithm, text.substring(colon + 1), field);
  }

  /** A digest from its parts; the hex must be lowercase and of the algorithm's length. */
  public static Digest of(Algorithm algorithm, String hex) {
    return of(algorithm, hex, "digest");
  }

  private static Digest of(Algorithm algorithm, String hex, String field) {
    if (hex.length() != algorithm.hexLength || !isLowerHex(hex)) {
      throw new InvalidSpecException(
          field,
          "'"
              + algorithm.prefix
              + ":"
              + hex
              + "' must have exactly "
              + algorithm.hexLength
              + " lowercase hex digits after '"
              + algorithm.prefix
              + ":'",
          "copy the full digest, e.g. from 'sha256sum' or the registry's Docker-Content-Digest header");
    }
    return new Digest(algorithm, hex);
  }

  /** The SHA-256 digest of {@code data}. */
  public static Digest sha256(byte[] data) {
    return compute(Algorithm.SHA256, data);
  }

  /** The SHA-256 digest of the UTF-8 bytes of {@code text}. */
  public static Digest sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The digest of {@code data} with the given algorithm. */
  public static Digest compute(Algorithm algorithm, byte[] data) {
    return new Digest(
        algorithm, HexFormat.of().formatHex(algorithm.newMessageDigest().digest(data)));
  }

  /** Streams {@code in} to its end (without closing it) and returns its digest. */
  public static Digest compute(Algorithm algorithm, InputStream in) throws IOException {
    MessageDigest md = algorithm.newMessageDigest();
    byte[] buf = new byte[64 * 1024];
    for (int n; (n = in.read(buf)) >= 0; ) {
      md.update(buf, 0, n);
    }
    return new Digest(algorithm, HexFormat.of().formatHex(md.digest()));
  }

  /** Whether {@code data} hashes to this digest (constant-time comparison). */
  public boolean matches(byte[] data) {
    return equals(compute(algorithm, data));
  }

  /**
   * Checks that {@code data} hashes to this digest.
   *
   * @param subject what the data is, for the error message
   * @throws DigestMismatchException if it does not
   */
  public void verify(byte[] data, String subject) {
    Digest actual = compute(algorithm, data);
    if (!equals(actual)) {
      throw new DigestMismatchException(subject, this, actual);
    }
  }

  /** The algorithm. */
  public Algorithm algorithm() {
    return algorithm;
  }

  /** The lowercase hex digits. */
  public String hex() {
    return hex;
  }

  /** The first 12 hex digits: enough to tell releases apart on a screen, never for identity. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  /** Constant-time equality: algorithm and every hex digit. */
  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof Digest)) {
      return false;
    }
    Digest other = (Digest) o;
    return algorithm == other.algorithm
        && MessageDigest.isEqual(
            hex.getBytes(StandardCharsets.US_ASCII), other.hex.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public int hashCode() {
    return hex.hashCode();
  }

  /** {@code algorithm:hex}. */
  @Override
  public String toString() {
    return algorithm.prefix + ":" + hex;
  }

  private static boolean isLowerHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}
