// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy;

import io.cutover.api.VerificationException;
import java.util.ArrayList;
import java.util.List;

/**
 * Why a check of a {@link VerificationPolicy} failed. Every failure line of a {@link
 * VerificationException} thrown by a policy starts with one of these codes and a colon, so a
 * platform can route failures without parsing prose: {@code signature.untrusted: ...}.
 */
public enum VerificationReason {
  /** The repository matches none of the allowed patterns; nothing was fetched from it. */
  REPOSITORY_NOT_ALLOWED("repository.not-allowed"),
  /** No {@code sha256-<hex>.sig} signature exists for the digest. */
  SIGNATURE_MISSING("signature.missing"),
  /** A signature manifest, layer, annotation or payload could not be read as cosign's format. */
  SIGNATURE_MALFORMED("signature.malformed"),
  /** Signatures exist but none verifies with a trusted key. */
  SIGNATURE_UNTRUSTED("signature.untrusted"),
  /** A validly signed payload is not a {@code cosign container image signature}. */
  SIGNATURE_PAYLOAD_TYPE("signature.payload-type"),
  /** A validly signed payload names another manifest digest. */
  SIGNATURE_DIGEST_MISMATCH("signature.digest-mismatch"),
  /** Fewer distinct trusted keys signed than the threshold requires. */
  SIGNATURE_THRESHOLD("signature.threshold"),
  /** No {@code sha256-<hex>.att} attestation with SLSA provenance exists for the digest. */
  PROVENANCE_MISSING("provenance.missing"),
  /** An attestation could not be read as a DSSE envelope holding an in-toto statement. */
  PROVENANCE_MALFORMED("provenance.malformed"),
  /** An attestation's DSSE signature verifies with none of the trusted keys. */
  PROVENANCE_UNTRUSTED("provenance.untrusted"),
  /** The statement's subjects do not include the artifact digest. */
  PROVENANCE_SUBJECT("provenance.subject-mismatch"),
  /** The builder id is not trusted. */
  PROVENANCE_BUILDER("provenance.builder-untrusted"),
  /** The build type is not one of the expected ones. */
  PROVENANCE_BUILD_TYPE("provenance.build-type"),
  /** The source repository or ref is not allowed. */
  PROVENANCE_SOURCE("provenance.source"),
  /** A maximum age is required but the artifact states no creation time. */
  AGE_UNKNOWN("age.unknown"),
  /** The artifact is older than the maximum age. */
  AGE_EXCEEDED("age.exceeded"),
  /** The artifact carries a forbidden label. */
  LABEL_FORBIDDEN("label.forbidden");

  private final String code;

  VerificationReason(String code) {
    this.code = code;
  }

  /** The stable code at the start of failure lines, e.g. {@code signature.untrusted}. */
  public String code() {
    return code;
  }

  /** A failure line: {@code code: message}. */
  public String line(String message) {
    return code + ": " + message;
  }

  /** The reasons of a policy's failure lines, in order; lines from elsewhere are skipped. */
  public static List<VerificationReason> of(VerificationException e) {
    List<VerificationReason> out = new ArrayList<>();
    for (String line : e.failures()) {
      for (VerificationReason r : values()) {
        if (line.startsWith(r.code + ":")) {
          out.add(r);
        }
      }
    }
    return out;
  }
}
