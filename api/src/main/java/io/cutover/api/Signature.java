// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

/**
 * A detached signature over an artifact, as found next to it (for OCI: a cosign {@code .sig}
 * manifest). A signature found is not a signature trusted: verification against keys is a policy's
 * job.
 *
 * @param keyId an identifier of the signing key as known to the verifier (a key fingerprint or
 *     name)
 * @param algorithm the signature algorithm, e.g. {@code SHA256withECDSA}
 * @param value the signature bytes, base64-encoded
 */
public record Signature(String keyId, String algorithm, String value) {
  /** Validates that every part is present. */
  public Signature {
    Check.notNull(keyId, "signature.keyId");
    Check.notBlank(algorithm, "signature.algorithm");
    Check.notBlank(value, "signature.value");
  }
}
