// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy;

import io.cutover.api.InvalidSpecException;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Map;

/**
 * The crypto policy for trusted keys: ECDSA on NIST P-256 or P-384, or RSA with a modulus of at
 * least 2048 bits. Anything else (other curves, short RSA, EdDSA, DSA) is refused when the key is
 * configured, so a weak or unexpected key never reaches verification. Stateless.
 */
final class KeyPolicy {
  /** The smallest RSA modulus accepted, in bits (NIST SP 800-131A). */
  static final int MIN_RSA_BITS = 2048;

  private static final Map<String, ECParameterSpec> CURVES =
      Map.of("P-256", curve("secp256r1"), "P-384", curve("secp384r1"));

  private KeyPolicy() {}

  /**
   * Returns {@code key} if the policy admits it.
   *
   * @param path where the key was configured, for the error
   * @throws InvalidSpecException naming the path, the key's type and the accepted ones
   */
  static PublicKey require(PublicKey key, String path) {
    if (key instanceof ECPublicKey ec) {
      for (ECParameterSpec allowed : CURVES.values()) {
        if (sameCurve(ec.getParams(), allowed)) {
          return key;
        }
      }
      throw refused(
          path, "is an ECDSA key on " + describe(ec.getParams()) + ", which is not P-256 or P-384");
    }
    if (key instanceof RSAPublicKey rsa) {
      int bits = rsa.getModulus().bitLength();
      if (bits >= MIN_RSA_BITS) {
        return key;
      }
      throw refused(path, "is an RSA key of " + bits + " bits, fewer than " + MIN_RSA_BITS);
    }
    throw refused(path, "is a " + key.getAlgorithm() + " key");
  }

  private static InvalidSpecException refused(String path, String problem) {
    return new InvalidSpecException(
        path,
        problem
            + " (the key policy accepts ECDSA P-256/P-384 and RSA of "
            + MIN_RSA_BITS
            + "+ bits)",
        "sign with an ECDSA P-256 key (cosign generate-key-pair) or an RSA key of at least "
            + MIN_RSA_BITS
            + " bits");
  }

  private static boolean sameCurve(ECParameterSpec a, ECParameterSpec b) {
    return a.getCurve().equals(b.getCurve())
        && a.getOrder().equals(b.getOrder())
        && a.getGenerator().equals(b.getGenerator())
        && a.getCofactor() == b.getCofactor();
  }

  private static String describe(ECParameterSpec params) {
    // SunEC's named curves print as "secp521r1 [NIST P-521] (1.3.132.0.35)"; explicit parameters
    // print as an opaque object, so say the size instead.
    String s = params.toString();
    return s.contains("@") ? "a curve of " + params.getOrder().bitLength() + " bits" : "curve " + s;
  }

  private static ECParameterSpec curve(String name) {
    try {
      AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
      p.init(new ECGenParameterSpec(name));
      return p.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks the " + name + " curve", e);
    }
  }
}
