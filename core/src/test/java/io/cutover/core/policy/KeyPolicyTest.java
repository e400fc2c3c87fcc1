// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.testfixtures.CosignFixtures;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 11 item 13: only ECDSA P-256/P-384 and RSA of 2048+ bits are trusted. */
class KeyPolicyTest {
  static KeyPair generate(String algorithm, Object param) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
      if (param instanceof Integer bits) {
        g.initialize(bits);
      } else if (param instanceof String curve) {
        g.initialize(new ECGenParameterSpec(curve));
      }
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static TrustedKey fromPem(KeyPair kp) {
    return TrustedKey.fromPem("k", CosignFixtures.pem(kp), "$.signatures.keys[0].pem");
  }

  @Test
  @DisplayName("P-256, P-384, RSA 2048 and RSA 3072 are accepted, from PEM and from a JCA key")
  void accepted() {
    for (KeyPair kp :
        new KeyPair[] {
          generate("EC", "secp256r1"),
          generate("EC", "secp384r1"),
          generate("RSA", 2048),
          generate("RSA", 3072)
        }) {
      assertThat(fromPem(kp).publicKey()).isEqualTo(kp.getPublic());
      assertThat(TrustedKey.of("k", kp.getPublic()).publicKey()).isEqualTo(kp.getPublic());
    }
  }

  @Test
  @DisplayName("a P-384 key verifies a signature made with it")
  void p384Verifies() throws Exception {
    KeyPair kp = generate("EC", "secp384r1");
    byte[] data = {1, 2, 3};
    assertThat(fromPem(kp).verify(data, CosignFixtures.sign(kp.getPrivate(), data))).isTrue();
  }

  @Test
  @DisplayName("RSA 1024: refused with the size, the path and the fix")
  void shortRsa() {
    assertThatThrownBy(() -> fromPem(generate("RSA", 1024)))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> assertThat(e.path()).isEqualTo("$.signatures.keys[0].pem"))
        .hasMessageContaining("RSA key of 1024 bits")
        .hasMessageContaining("2048");
    assertThatThrownBy(() -> TrustedKey.of("old", generate("RSA", 1024).getPublic()))
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("key.old"));
  }

  @Test
  @DisplayName("P-521: refused, naming the curve")
  void otherCurve() {
    assertThatThrownBy(() -> fromPem(generate("EC", "secp521r1")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("secp521r1")
        .hasMessageContaining("not P-256 or P-384");
  }

  @Test
  @DisplayName("Ed25519 and DSA: refused as key types outside the policy")
  void otherTypes() {
    assertThatThrownBy(() -> fromPem(generate("Ed25519", null)))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("EdDSA key");
    assertThatThrownBy(() -> TrustedKey.of("d", generate("DSA", 2048).getPublic()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("DSA key");
  }
}
