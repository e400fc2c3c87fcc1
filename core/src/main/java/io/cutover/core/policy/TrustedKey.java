// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy;

import io.cutover.api.Digest;
import io.cutover.api.InvalidSpecException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A named public key trusted to sign artifacts or attestations: ECDSA P-256 (cosign's default) or
 * P-384, verified as {@code SHA256withECDSA} over ASN.1 DER signatures, or RSA of at least 2048
 * bits ({@code SHA256withRSA}), read from PEM PKIX ({@code -----BEGIN PUBLIC KEY-----}, as written
 * by {@code openssl pkey -pubout} or {@code cosign generate-key-pair}). Immutable and thread-safe;
 * evidence names it by name and fingerprint.
 */
public final class TrustedKey {
  private final String name;
  private final PublicKey key;
  private final String fingerprint;
  private final String algorithm;
  // A Signature initialized for this key, per thread: Signature objects are not thread-safe, and
  // after verify() one is back in its initVerify state, so a thread reuses it instead of asking the
  // provider for a new engine and initializing it on every call.
  private final ThreadLocal<@Nullable Signature> verifier = new ThreadLocal<>();

  private TrustedKey(String name, PublicKey key) {
    this.name = name;
    this.key = key;
    this.fingerprint = Digest.sha256(key.getEncoded()).toString();
    this.algorithm =
        switch (key.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          default -> "SHA256withRSA"; // KeyPolicy admits EC and RSA only.
        };
  }

  /**
   * A trusted key from a JCA public key.
   *
   * @throws InvalidSpecException if the key is not ECDSA P-256/P-384 or RSA of at least 2048 bits
   */
  public static TrustedKey of(String name, PublicKey key) {
    requireName(name, "key.name");
    Objects.requireNonNull(key, "key");
    return new TrustedKey(name, KeyPolicy.require(key, "key." + name));
  }

  /**
   * Reads a PEM PKIX public key.
   *
   * @param path where the PEM came from, for errors (e.g. {@code $.signatures.keys[0].pem})
   * @throws InvalidSpecException if the text is not a PEM public key, or the key is not ECDSA
   *     P-256/P-384 or RSA of at least 2048 bits
   */
  public static TrustedKey fromPem(String name, String pem, String path) {
    requireName(name, path);
    String body =
        pem == null
            ? ""
            : pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
    if (pem == null || !pem.contains("-----BEGIN PUBLIC KEY-----") || body.isEmpty()) {
      throw new InvalidSpecException(
          path,
          "is not a PEM public key (no '-----BEGIN PUBLIC KEY-----' block)",
          "export the public key with 'openssl pkey -in key.pem -pubout' or use cosign's cosign.pub");
    }
    byte[] der;
    try {
      der = Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new InvalidSpecException(
          path, "has a PEM block that is not valid base64", "copy the key file unchanged");
    }
    for (String alg : new String[] {"EC", "RSA", "Ed25519"}) {
      try {
        PublicKey key = KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(der));
        return new TrustedKey(name, KeyPolicy.require(key, path));
      } catch (GeneralSecurityException e) {
        // Try the next key type.
      }
    }
    throw new InvalidSpecException(
        path,
        "holds a public key that is not ECDSA or RSA (or is corrupted)",
        "use an ECDSA P-256 key as cosign generates, a P-384 key, or an RSA key of 2048+ bits");
  }

  /** Reads a PEM PKIX public key file (same key policy as {@link #fromPem}). */
  public static TrustedKey fromFile(String name, Path file) {
    try {
      return fromPem(name, Files.readString(file, StandardCharsets.US_ASCII), file.toString());
    } catch (IOException e) {
      throw new InvalidSpecException(
          file.toString(),
          "cannot be read (" + e.getMessage() + ")",
          "give the path of a readable PEM public key file");
    }
  }

  /** The name evidence and errors use. */
  public String name() {
    return name;
  }

  /** {@code sha256:<hex>} of the DER-encoded public key. */
  public String fingerprint() {
    return fingerprint;
  }

  /** The JCA public key. */
  public PublicKey publicKey() {
    return key;
  }

  /**
   * Whether {@code signature} is this key's signature over exactly {@code data}.
   *
   * @throws SignatureException if the signature is not even well-formed for this key type
   */
  public boolean verify(byte[] data, byte[] signature) throws SignatureException {
    Signature s = verifier.get();
    verifier.remove(); // put back only after a verify that completed
    try {
      if (s == null) {
        s = Signature.getInstance(algorithm);
        s.initVerify(key);
      }
      s.update(data);
      boolean valid = s.verify(signature);
      verifier.set(s);
      return valid;
    } catch (SignatureException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks " + algorithm, e);
    }
  }

  /** {@code name (sha256:0123456789ab…)}. */
  @Override
  public String toString() {
    return name + " (" + fingerprint.substring(0, 19) + "…)";
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof TrustedKey k && name.equals(k.name) && fingerprint.equals(k.fingerprint);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, fingerprint);
  }

  private static void requireName(String name, String path) {
    if (name == null || name.isBlank()) {
      throw new InvalidSpecException(
          path, "has no key name", "name every trusted key, e.g. 'release-2026'");
    }
  }
}
