// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy.internal;

import static io.cutover.core.policy.VerificationReason.SIGNATURE_DIGEST_MISMATCH;
import static io.cutover.core.policy.VerificationReason.SIGNATURE_MALFORMED;
import static io.cutover.core.policy.VerificationReason.SIGNATURE_MISSING;
import static io.cutover.core.policy.VerificationReason.SIGNATURE_PAYLOAD_TYPE;
import static io.cutover.core.policy.VerificationReason.SIGNATURE_THRESHOLD;
import static io.cutover.core.policy.VerificationReason.SIGNATURE_UNTRUSTED;

import com.fasterxml.jackson.databind.JsonNode;
import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.InvalidSpecException;
import io.cutover.core.policy.SignatureRequirement;
import io.cutover.core.policy.TrustedKey;
import io.cutover.spi.ArtifactStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SignatureException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Verifies cosign keyed signatures: the {@code sha256-<hex>.sig} manifest's simplesigning layers,
 * each carrying a base64 DER signature in the {@code dev.cosignproject.cosign/signature} annotation
 * over the exact payload bytes; the payload must be of type {@code cosign container image
 * signature} and name the artifact's digest. Every distinct trusted key with at least one such
 * valid signature counts toward the threshold.
 */
public final class CosignSignatures {
  public static final String SIMPLESIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
  public static final String ANNOTATION = "dev.cosignproject.cosign/signature";
  public static final String PAYLOAD_TYPE = "cosign container image signature";

  private CosignSignatures() {}

  public static Outcome check(ArtifactRef ref, ArtifactStore store, SignatureRequirement req) {
    Outcome out = new Outcome();
    String keyNames = req.keys().stream().map(TrustedKey::toString).toList().toString();
    Attachments.Manifest sig =
        Attachments.findOrFail(
            store,
            ref,
            "sig",
            out,
            SIGNATURE_MALFORMED,
            SIGNATURE_MISSING,
            "sign it with one of " + keyNames);
    if (sig == null) {
      return out;
    }
    // The payload cosign writes for this artifact is predictable, and a layer is named by the
    // digest
    // of its bytes: when a layer's digest is that of the predicted payload, those are its exact
    // bytes, and reading them from the registry would add a round trip and nothing else. (Any other
    // payload, e.g. with annotations, is read as stored.) What is verified is the same: the
    // signature over the bytes the verified .sig manifest names, then their type and digest.
    byte[] canonical = canonicalPayload(ref);
    Digest canonicalDigest = Digest.sha256(canonical);
    // Keyed by fingerprint: signers are counted by the key they are, whatever they are called.
    Map<String, TrustedKey> signers = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    int candidates = 0;
    for (Attachments.Layer layer : sig.layers()) {
      if (!layer.mediaType().equals(SIMPLESIGNING)) {
        continue;
      }
      candidates++;
      String where = sig.tag() + " layer " + layer.index();
      String encoded = layer.annotations().get(ANNOTATION);
      if (encoded == null || encoded.isBlank()) {
        problems.add(SIGNATURE_MALFORMED.line(where + " has no " + ANNOTATION + " annotation"));
        continue;
      }
      byte[] signature;
      try {
        signature = Base64.getDecoder().decode(encoded.trim());
      } catch (IllegalArgumentException e) {
        problems.add(SIGNATURE_MALFORMED.line(where + ": the signature annotation is not base64"));
        continue;
      }
      byte[] payload = layer.digest().equals(canonicalDigest) ? canonical : null;
      if (payload == null) {
        try {
          payload = Attachments.layer(store, sig, layer);
        } catch (Attachments.BadLayerException e) {
          problems.add(SIGNATURE_MALFORMED.line(where + ": " + e.getMessage()));
          continue;
        }
      }
      List<TrustedKey> verifiedBy = new ArrayList<>();
      int malformedFor = 0;
      for (TrustedKey key : req.keys()) {
        try {
          if (key.verify(payload, signature)) {
            verifiedBy.add(key);
          }
        } catch (SignatureException e) {
          malformedFor++;
        }
      }
      if (verifiedBy.isEmpty()) {
        problems.add(
            malformedFor == req.keys().size()
                ? SIGNATURE_MALFORMED.line(
                    where + ": the signature is not a well-formed signature for any trusted key")
                : SIGNATURE_UNTRUSTED.line(
                    where + ": the signature verifies with none of the trusted keys " + keyNames));
        continue;
      }
      String payloadProblem = checkPayload(payload, ref, where);
      if (payloadProblem != null) {
        problems.add(payloadProblem);
        continue;
      }
      verifiedBy.forEach(k -> signers.putIfAbsent(k.fingerprint(), k));
    }
    if (candidates == 0) {
      problems.add(SIGNATURE_MALFORMED.line(sig.tag() + " has no " + SIMPLESIGNING + " layer"));
    }
    if (signers.size() >= req.threshold()) {
      out.evidence.add(
          "signature: "
              + ref
              + " signed by "
              + signers.size()
              + " of "
              + req.keys().size()
              + " trusted key(s) "
              + signers.values()
              + " (required "
              + req.threshold()
              + "), payload type '"
              + PAYLOAD_TYPE
              + "' and digest checked, from "
              + sig.tag()
              + "@"
              + sig.ref().digest());
      return out;
    }
    out.failures.addAll(problems);
    if (!signers.isEmpty() || problems.isEmpty()) {
      out.failures.add(
          SIGNATURE_THRESHOLD.line(
              "only "
                  + signers.size()
                  + " distinct trusted key(s) "
                  + signers.values()
                  + " signed "
                  + ref
                  + "; "
                  + req.threshold()
                  + " of "
                  + keyNames
                  + " required"));
    }
    return out;
  }

  /**
   * The payload {@code cosign sign} writes for {@code ref} without annotations: compact JSON, the
   * repository as docker-reference.
   */
  static byte[] canonicalPayload(ArtifactRef ref) {
    return ("{\"critical\":{\"identity\":{\"docker-reference\":\""
            + ref.repository()
            + "\"},\"image\":{\"docker-manifest-digest\":\""
            + ref.digest()
            + "\"},\"type\":\""
            + PAYLOAD_TYPE
            + "\"},\"optional\":null}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static @Nullable String checkPayload(byte[] payload, ArtifactRef ref, String where) {
    JsonNode root;
    try {
      root = Attachments.JSON.readTree(payload);
    } catch (IOException e) {
      return SIGNATURE_MALFORMED.line(where + ": the signed payload is not JSON");
    }
    JsonNode critical = root == null ? null : root.get("critical");
    if (critical == null || !critical.isObject()) {
      return SIGNATURE_MALFORMED.line(where + ": the signed payload has no 'critical' section");
    }
    String type = critical.path("type").asText("");
    if (!type.equals(PAYLOAD_TYPE)) {
      return SIGNATURE_PAYLOAD_TYPE.line(
          where + ": the signed payload has type '" + type + "', not '" + PAYLOAD_TYPE + "'");
    }
    String named = critical.path("image").path("docker-manifest-digest").asText("");
    Digest digest;
    try {
      digest = Digest.parse(named, "docker-manifest-digest");
    } catch (InvalidSpecException e) {
      return SIGNATURE_MALFORMED.line(
          where + ": the signed payload's docker-manifest-digest '" + named + "' is not a digest");
    }
    if (!digest.equals(ref.digest())) {
      return SIGNATURE_DIGEST_MISMATCH.line(
          where
              + ": the signature is for "
              + digest
              + ", not "
              + ref.digest()
              + " (a signature copied from another image)");
    }
    return null;
  }
}
