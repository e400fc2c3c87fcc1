// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy;

import static io.cutover.testfixtures.CosignFixtures.signatures;
import static io.cutover.testfixtures.CosignFixtures.signed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ArtifactRef;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.VerificationException;
import io.cutover.testfixtures.CosignFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 11 item 6: a threshold counts distinct keys, not distinct key names. */
class SignatureRequirementTest {
  static final String REPO = "registry.example.com/team/app";
  static final KeyPair ONE = CosignFixtures.newKey();
  static final KeyPair OTHER = CosignFixtures.newKey();

  @Test
  @DisplayName("the same PEM under two names is refused: it cannot meet a threshold of 2 alone")
  void samePemTwiceIsRefused() {
    String pem = CosignFixtures.pem(ONE);
    TrustedKey a = TrustedKey.fromPem("alice", pem, "$.signatures.keys[0].pem");
    TrustedKey b = TrustedKey.fromPem("bob", pem, "$.signatures.keys[1].pem");

    assertThatThrownBy(() -> SignatureRequirement.threshold(2, a, b))
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("signatures.keys"))
        .hasMessageContaining("same public key twice")
        .hasMessageContaining("'alice'")
        .hasMessageContaining("'bob'")
        .hasMessageContaining(a.fingerprint());
  }

  @Test
  @DisplayName("provenance keys follow the same rule")
  void provenanceKeysToo() {
    TrustedKey a = TrustedKey.of("a", ONE.getPublic());
    TrustedKey b = TrustedKey.of("b", ONE.getPublic());
    assertThatThrownBy(() -> ProvenanceRequirement.of(List.of(a, b), List.of("https://ci/**")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("same public key twice");
  }

  @Test
  @DisplayName(
      "the policy file path: two entries with one PEM fail at parse time, naming $.signatures.keys")
  void parsedPolicyRefusesDuplicateKeys() {
    String pem = CosignFixtures.pem(ONE).replace("\n", "\\n");
    String json =
        "{\"signatures\":{\"threshold\":2,\"keys\":[{\"name\":\"a\",\"pem\":\""
            + pem
            + "\"},{\"name\":\"b\",\"pem\":\""
            + pem
            + "\"}]}}";
    assertThatThrownBy(() -> VerificationPolicy.fromJson(json, Path.of(".")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("same public key twice");
  }

  @Test
  @DisplayName("two different keys, each signing once, still meet a threshold of 2")
  void twoDistinctKeysPass() {
    MapStore store = new MapStore();
    ArtifactRef app = store.put(REPO, "image".getBytes(StandardCharsets.UTF_8));
    store.put(
        REPO,
        "sha256-" + app.digest().hex() + ".sig",
        signatures(signed(REPO, app.digest(), ONE), signed(REPO, app.digest(), OTHER)));
    VerificationPolicy policy =
        VerificationPolicy.builder()
            .requireSignatures(
                SignatureRequirement.threshold(
                    2,
                    TrustedKey.of("one", ONE.getPublic()),
                    TrustedKey.of("other", OTHER.getPublic())))
            .build();
    assertThat(policy.verify(app, store)).singleElement().asString().contains("2 of 2");

    VerificationPolicy oneSigner =
        VerificationPolicy.builder()
            .requireSignatures(
                SignatureRequirement.threshold(
                    2,
                    TrustedKey.of("one", ONE.getPublic()),
                    TrustedKey.of("third", CosignFixtures.newKey().getPublic())))
            .build();
    assertThatThrownBy(() -> oneSigner.verify(app, store))
        .isInstanceOf(VerificationException.class);
  }
}
