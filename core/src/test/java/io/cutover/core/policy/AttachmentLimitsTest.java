// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy;

import static io.cutover.testfixtures.CosignFixtures.attestations;
import static io.cutover.testfixtures.CosignFixtures.signatures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.cutover.api.ArtifactRef;
import io.cutover.api.VerificationException;
import io.cutover.core.policy.internal.Attachments;
import io.cutover.testfixtures.CosignFixtures;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 12: signature and attestation layers come from the registry and are read only up to
 * {@link Attachments#MAX_BYTES}; an endless layer ends in a verdict, not in an out-of-memory.
 */
class AttachmentLimitsTest {
  static final String REPO = "registry.example.com/team/app";
  static final KeyPair KEY = CosignFixtures.newKey();

  /** A store whose every blob except attachment manifests is an endless stream of spaces. */
  static final class EndlessLayers extends MapStore {
    final AtomicLong served = new AtomicLong();

    @Override
    public InputStream fetch(ArtifactRef ref) {
      boolean manifest = tags.containsValue(ref.digest());
      if (manifest) {
        return super.fetch(ref);
      }
      return new InputStream() {
        @Override
        public int read() {
          served.incrementAndGet();
          return ' ';
        }
      };
    }
  }

  static VerificationException failure(Runnable r) {
    Throwable t = catchThrowable(r::run);
    assertThat(t).isInstanceOf(VerificationException.class);
    return (VerificationException) t;
  }

  @Test
  @DisplayName("an endless signature layer: signature.malformed naming the limit, read stops there")
  void endlessSignatureLayer() {
    EndlessLayers store = new EndlessLayers();
    ArtifactRef app = new ArtifactRef(REPO, io.cutover.api.Digest.sha256("the image"));
    // Signed under another name (a mirror): the payload Cutover predicts for REPO is verified
    // without a read, so only a payload it cannot predict reaches the registry's (endless) blob.
    byte[] payload =
        CosignFixtures.payload(
            "mirror.example.com/team/app", app.digest(), CosignFixtures.PAYLOAD_TYPE);
    store.put(
        REPO,
        "sha256-" + app.digest().hex() + ".sig",
        signatures(
            new CosignFixtures.SigLayer(
                payload,
                Base64.getEncoder()
                    .encodeToString(CosignFixtures.sign(KEY.getPrivate(), payload)))));
    VerificationPolicy policy =
        VerificationPolicy.builder()
            .requireSignatures(SignatureRequirement.anyOf(TrustedKey.of("k", KEY.getPublic())))
            .build();

    VerificationException e = failure(() -> policy.verify(app, store));

    assertThat(VerificationReason.of(e)).contains(VerificationReason.SIGNATURE_MALFORMED);
    assertThat(e.getMessage()).contains("larger than " + Attachments.MAX_BYTES + " bytes");
    assertThat(store.served.get()).isLessThanOrEqualTo(Attachments.MAX_BYTES + 1L);
  }

  @Test
  @DisplayName("an endless provenance envelope: provenance.malformed naming the limit")
  void endlessEnvelope() {
    EndlessLayers store = new EndlessLayers();
    ArtifactRef app = new ArtifactRef(REPO, io.cutover.api.Digest.sha256("the image"));
    store.put(
        REPO,
        "sha256-" + app.digest().hex() + ".att",
        attestations("{}".getBytes(StandardCharsets.UTF_8)));
    VerificationPolicy policy =
        VerificationPolicy.builder()
            .requireProvenance(
                ProvenanceRequirement.of(
                    List.of(TrustedKey.of("k", KEY.getPublic())), List.of("https://ci/**")))
            .build();

    VerificationException e = failure(() -> policy.verify(app, store));

    assertThat(VerificationReason.of(e)).contains(VerificationReason.PROVENANCE_MALFORMED);
    assertThat(e.getMessage()).contains("larger than " + Attachments.MAX_BYTES + " bytes");
  }
}
