// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DigestTest {
  // Reference values from sha256sum / sha512sum, not from the code under test.
  private static final String EMPTY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  private static final String ABC_SHA256 =
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  private static final String ABC_SHA512 =
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
          + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
  private static final byte[] ABC = "abc".getBytes(StandardCharsets.UTF_8);

  @Test
  @DisplayName(
      "computes SHA-256 and SHA-512 as the reference tools do, from bytes, text and streams")
  void compute() throws IOException {
    assertThat(Digest.sha256(new byte[0])).hasToString("sha256:" + EMPTY_SHA256);
    assertThat(Digest.sha256("abc")).hasToString("sha256:" + ABC_SHA256);
    assertThat(Digest.compute(Digest.Algorithm.SHA512, ABC)).hasToString("sha512:" + ABC_SHA512);
    assertThat(Digest.compute(Digest.Algorithm.SHA256, new ByteArrayInputStream(ABC)))
        .isEqualTo(Digest.sha256(ABC));
    byte[] big = new byte[200_000]; // larger than one read buffer
    big[150_000] = 7;
    assertThat(Digest.compute(Digest.Algorithm.SHA512, new ByteArrayInputStream(big)))
        .isEqualTo(Digest.compute(Digest.Algorithm.SHA512, big));
  }

  @Test
  @DisplayName("parses its own output, exposes its parts, and shortens to 12 digits")
  void parse() {
    Digest d = Digest.parse("sha512:" + ABC_SHA512);

    assertThat(d.algorithm()).isEqualTo(Digest.Algorithm.SHA512);
    assertThat(d.hex()).isEqualTo(ABC_SHA512);
    assertThat(d.shortHex()).isEqualTo("ddaf35a19361");
    assertThat(Digest.parse(d.toString())).isEqualTo(d).hasSameHashCodeAs(d);
    assertThat(Digest.of(Digest.Algorithm.SHA256, ABC_SHA256)).isEqualTo(Digest.sha256("abc"));
    assertThat(Digest.Algorithm.SHA256.hexLength()).isEqualTo(64);
    assertThat(Digest.Algorithm.SHA512.prefix()).isEqualTo("sha512");
  }

  @Test
  @DisplayName("equality compares the algorithm and every digit")
  void equality() {
    String lastDigitChanged = ABC_SHA256.substring(0, 63) + "e";
    String firstDigitChanged = "c" + ABC_SHA256.substring(1);

    assertThat(Digest.parse("sha256:" + ABC_SHA256))
        .isEqualTo(Digest.sha256("abc"))
        .isNotEqualTo(Digest.parse("sha256:" + lastDigitChanged))
        .isNotEqualTo(Digest.parse("sha256:" + firstDigitChanged))
        .isNotEqualTo(Digest.compute(Digest.Algorithm.SHA512, ABC))
        .isNotEqualTo("sha256:" + ABC_SHA256);
  }

  @Test
  @DisplayName("matches and verifies content; a mismatch carries both digests")
  void verify() {
    Digest d = Digest.sha256("abc");

    assertThat(d.matches(ABC)).isTrue();
    assertThat(d.matches("abd".getBytes(StandardCharsets.UTF_8))).isFalse();
    d.verify(ABC, "blob");
    assertThatThrownBy(() -> d.verify("abd".getBytes(StandardCharsets.UTF_8), "blobs/sha256/ba78"))
        .isInstanceOfSatisfying(
            DigestMismatchException.class,
            e -> {
              assertThat(e.subject()).isEqualTo("blobs/sha256/ba78");
              assertThat(e.expected()).isEqualTo(d);
              assertThat(e.actual()).isEqualTo(Digest.sha256("abd"));
              assertThat(e.getMessage())
                  .contains("does not match the expected sha256:" + ABC_SHA256)
                  .contains("fix:");
            });
  }

  @Test
  @DisplayName(
      "refuses uppercase, wrong lengths, unknown algorithms and missing values, naming the field")
  void invalid() {
    assertRefused(
        "sha256:" + ABC_SHA256.toUpperCase(), "image.digest", "exactly 64 lowercase hex digits");
    assertRefused("sha256:" + ABC_SHA256.substring(1), "image.digest", "exactly 64");
    assertRefused("sha256:" + ABC_SHA256 + "0", "image.digest", "exactly 64");
    assertRefused("sha512:" + ABC_SHA256, "image.digest", "exactly 128");
    assertRefused("sha256:" + ABC_SHA256.substring(1) + "g", "image.digest", "hex digits");
    assertRefused(
        "md5:900150983cd24fb0d6963f7d28e17f72",
        "image.digest",
        "does not start with 'sha256:' or 'sha512:'");
    assertRefused(ABC_SHA256, "image.digest", "does not start with");
    assertRefused("SHA256:" + ABC_SHA256, "image.digest", "does not start with");
    assertRefused(null, "image.digest", "is missing");
    assertThatThrownBy(() -> Digest.of(Digest.Algorithm.SHA256, "abc"))
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("digest"));
    assertThatThrownBy(() -> Digest.parse("sha256:"))
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("digest"));
  }

  private static void assertRefused(String text, String field, String problem) {
    assertThatThrownBy(() -> Digest.parse(text, field))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> {
              assertThat(e.path()).isEqualTo(field);
              assertThat(e.getMessage()).contains(problem).contains("fix:");
            });
  }
}
