// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy;

import static io.cutover.testfixtures.CosignFixtures.attestations;
import static io.cutover.testfixtures.CosignFixtures.dsse;
import static io.cutover.testfixtures.CosignFixtures.signatures;
import static io.cutover.testfixtures.CosignFixtures.signed;
import static io.cutover.testfixtures.CosignFixtures.statement;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.VerificationException;
import io.cutover.core.policy.internal.CosignSignatures;
import io.cutover.testfixtures.CosignFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerificationPolicyTest {
  static final String REPO = "registry.example.com/team/app";
  static final String BUILDER =
      "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder.yml@refs/tags/v2.0.0";
  static final String BUILD_TYPE =
      "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1";
  static final KeyPair RELEASE = CosignFixtures.newKey();
  static final KeyPair CI = CosignFixtures.newKey();
  static final KeyPair ROGUE = CosignFixtures.newKey();
  static final TrustedKey RELEASE_KEY = TrustedKey.of("release", RELEASE.getPublic());
  static final TrustedKey CI_KEY = TrustedKey.of("ci", CI.getPublic());

  MapStore store;
  ArtifactRef app;

  @BeforeEach
  void setUp() {
    store = new MapStore();
    app = store.put(REPO, "the image manifest".getBytes(StandardCharsets.UTF_8));
  }

  void sign(CosignFixtures.SigLayer... layers) {
    store.put(REPO, "sha256-" + app.digest().hex() + ".sig", signatures(layers));
  }

  void attest(byte[]... envelopes) {
    store.put(REPO, "sha256-" + app.digest().hex() + ".att", attestations(envelopes));
  }

  static VerificationPolicy signedBy(SignatureRequirement req) {
    return VerificationPolicy.builder().requireSignatures(req).build();
  }

  static VerificationException failure(ThrowingCallable call) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
    assertThat(t).isInstanceOf(VerificationException.class);
    return (VerificationException) t;
  }

  @Nested
  @DisplayName("cosign signatures")
  class Signatures {
    @Test
    @DisplayName(
        "a signature by a trusted key over a payload naming the digest passes, and the evidence names the key")
    void valid() {
      sign(signed(REPO, app.digest(), RELEASE));

      List<String> evidence =
          signedBy(SignatureRequirement.anyOf(CI_KEY, RELEASE_KEY)).verify(app, store);

      assertThat(evidence)
          .singleElement()
          .asString()
          .startsWith("signature: " + app)
          .contains("release (" + RELEASE_KEY.fingerprint().substring(0, 19))
          .contains("1 of 2")
          .doesNotContain("ci (");
    }

    @Test
    @DisplayName("unsigned: signature.missing")
    void unsigned() {
      VerificationException e =
          failure(() -> signedBy(SignatureRequirement.anyOf(RELEASE_KEY)).verify(app, store));
      assertThat(VerificationReason.of(e)).containsExactly(VerificationReason.SIGNATURE_MISSING);
      assertThat(e.getMessage()).contains("sha256-" + app.digest().hex() + ".sig");
    }

    @Test
    @DisplayName("signed by another key: signature.untrusted")
    void wrongKey() {
      sign(signed(REPO, app.digest(), ROGUE));
      VerificationException e =
          failure(() -> signedBy(SignatureRequirement.anyOf(RELEASE_KEY)).verify(app, store));
      assertThat(VerificationReason.of(e)).containsExactly(VerificationReason.SIGNATURE_UNTRUSTED);
    }

    @Test
    @DisplayName("garbage, non-base64 or absent signature annotations: signature.malformed")
    void malformed() {
      byte[] p = CosignFixtures.payload(REPO, app.digest(), CosignSignatures.PAYLOAD_TYPE);
      sign(
          new CosignFixtures.SigLayer(p, Base64.getEncoder().encodeToString(new byte[] {1, 2, 3})),
          new CosignFixtures.SigLayer(p, "%%% not base64"),
          new CosignFixtures.SigLayer(p, null));
      VerificationException e =
          failure(() -> signedBy(SignatureRequirement.anyOf(RELEASE_KEY)).verify(app, store));
      assertThat(VerificationReason.of(e))
          .containsExactly(
              VerificationReason.SIGNATURE_MALFORMED,
              VerificationReason.SIGNATURE_MALFORMED,
              VerificationReason.SIGNATURE_MALFORMED);
    }

    @Test
    @DisplayName("a validly signed payload of another type: signature.payload-type")
    void wrongPayloadType() {
      byte[] p = CosignFixtures.payload(REPO, app.digest(), "something else");
      sign(
          new CosignFixtures.SigLayer(
              p, Base64.getEncoder().encodeToString(CosignFixtures.sign(RELEASE.getPrivate(), p))));
      VerificationException e =
          failure(() -> signedBy(SignatureRequirement.anyOf(RELEASE_KEY)).verify(app, store));
      assertThat(VerificationReason.of(e))
          .containsExactly(VerificationReason.SIGNATURE_PAYLOAD_TYPE);
    }

    @Test
    @DisplayName(
        "a valid signature of another digest copied next to this one: signature.digest-mismatch")
    void copiedSignature() {
      sign(signed(REPO, Digest.sha256("another image"), RELEASE));
      VerificationException e =
          failure(() -> signedBy(SignatureRequirement.anyOf(RELEASE_KEY)).verify(app, store));
      assertThat(VerificationReason.of(e))
          .containsExactly(VerificationReason.SIGNATURE_DIGEST_MISMATCH);
    }

    @Test
    @DisplayName("one bad layer does not matter when another layer is a valid signature")
    void anyValidLayerIsEnough() {
      sign(signed(REPO, app.digest(), ROGUE), signed(REPO, app.digest(), RELEASE));
      assertThat(signedBy(SignatureRequirement.anyOf(RELEASE_KEY)).verify(app, store)).hasSize(1);
    }

    @Test
    @DisplayName(
        "k-of-N: one signer of a 2-of-2 policy fails with signature.threshold; two distinct signers pass")
    void threshold() {
      VerificationPolicy twoOfTwo =
          signedBy(SignatureRequirement.threshold(2, RELEASE_KEY, CI_KEY));
      sign(signed(REPO, app.digest(), RELEASE), signed(REPO, app.digest(), RELEASE));
      VerificationException e = failure(() -> twoOfTwo.verify(app, store));
      assertThat(VerificationReason.of(e)).containsExactly(VerificationReason.SIGNATURE_THRESHOLD);

      sign(signed(REPO, app.digest(), RELEASE), signed(REPO, app.digest(), CI));
      assertThat(twoOfTwo.verify(app, store)).singleElement().asString().contains("2 of 2");
    }

    @Test
    @DisplayName("a sha512 artifact cannot carry cosign signatures: signature.missing, not a crash")
    void sha512() {
      ArtifactRef sha512 =
          new ArtifactRef(REPO, Digest.compute(Digest.Algorithm.SHA512, new byte[] {1}));
      VerificationException e =
          failure(() -> signedBy(SignatureRequirement.anyOf(RELEASE_KEY)).verify(sha512, store));
      assertThat(VerificationReason.of(e)).containsExactly(VerificationReason.SIGNATURE_MISSING);
      assertThat(e.getMessage()).contains("sha256 digests only");
    }

    @Test
    @DisplayName(
        "a .sig manifest naming a layer the registry does not have: signature.malformed, not NoSuchElementException")
    void layerNotInRegistry() {
      // Signed under another name (a mirror): not the payload Cutover can predict, so it is read.
      byte[] p =
          CosignFixtures.payload(
              "mirror.example.com/team/app", app.digest(), CosignSignatures.PAYLOAD_TYPE);
      sign(
          new CosignFixtures.SigLayer(
              p, Base64.getEncoder().encodeToString(CosignFixtures.sign(RELEASE.getPrivate(), p))));
      assertThat(signedBy(SignatureRequirement.anyOf(RELEASE_KEY)).verify(app, store)).hasSize(1);
      // The manifest stays, its payload blob disappears: what a hostile registry can serve.
      assertThat(
              store.content.remove(
                  new ArtifactRef(REPO, io.cutover.api.Digest.sha256(p)).toString()))
          .isNotNull();
      VerificationException e =
          failure(() -> signedBy(SignatureRequirement.anyOf(RELEASE_KEY)).verify(app, store));
      assertThat(VerificationReason.of(e)).containsExactly(VerificationReason.SIGNATURE_MALFORMED);
      assertThat(e.getMessage()).contains("not in the registry");
    }

    @Test
    @DisplayName(
        "the payload cosign writes for this artifact is not read: a layer named by its digest has exactly those bytes")
    void canonicalPayloadIsNotRead() {
      byte[] p = CosignFixtures.payload(REPO, app.digest(), CosignSignatures.PAYLOAD_TYPE);
      sign(signed(REPO, app.digest(), RELEASE));
      assertThat(
              store.content.remove(
                  new ArtifactRef(REPO, io.cutover.api.Digest.sha256(p)).toString()))
          .isNotNull();
      int before = store.calls.get();

      assertThat(signedBy(SignatureRequirement.anyOf(RELEASE_KEY)).verify(app, store))
          .singleElement()
          .asString()
          .contains("release (");
      // resolve the .sig tag, read its manifest: nothing else.
      assertThat(store.calls.get() - before).isEqualTo(2);

      // The same payload bytes under a rogue signature still fail.
      sign(
          new CosignFixtures.SigLayer(
              p, Base64.getEncoder().encodeToString(CosignFixtures.sign(ROGUE.getPrivate(), p))));
      VerificationException e =
          failure(() -> signedBy(SignatureRequirement.anyOf(RELEASE_KEY)).verify(app, store));
      assertThat(VerificationReason.of(e)).containsExactly(VerificationReason.SIGNATURE_UNTRUSTED);
    }

    @Test
    @DisplayName("a store failure is not a verdict: the ProviderException propagates")
    void storeFailurePropagates() {
      var failing =
          new MapStore() {
            @Override
            public ArtifactRef resolve(io.cutover.api.TagRef tag) {
              throw ProviderException.retryable("oci", "resolve", "registry down");
            }
          };
      assertThatThrownBy(
              () -> signedBy(SignatureRequirement.anyOf(RELEASE_KEY)).verify(app, failing))
          .isInstanceOf(ProviderException.class)
          .hasMessageContaining("registry down");
    }
  }

  @Nested
  @DisplayName("SLSA provenance")
  class Provenance {
    final ProvenanceRequirement req =
        ProvenanceRequirement.of(List.of(CI_KEY), List.of("https://github.com/slsa-framework/**"))
            .withBuildTypes(BUILD_TYPE)
            .withSourceRepositories("https://github.com/team/*")
            .withSourceRefs("refs/heads/main");
    final VerificationPolicy policy = VerificationPolicy.builder().requireProvenance(req).build();

    @Test
    @DisplayName(
        "signed provenance of this digest from a trusted builder and source passes with evidence")
    void valid() {
      attest(
          dsse(
              statement(
                  app.digest(),
                  BUILDER,
                  BUILD_TYPE,
                  "https://github.com/team/app",
                  "refs/heads/main"),
              CI));

      assertThat(policy.verify(app, store))
          .singleElement()
          .asString()
          .startsWith("provenance: " + app)
          .contains("ci (")
          .contains(BUILDER)
          .contains("https://github.com/team/app@refs/heads/main");
    }

    @Test
    @DisplayName("untrusted builder: provenance.builder-untrusted")
    void untrustedBuilder() {
      attest(
          dsse(
              statement(
                  app.digest(),
                  "https://evil.example/builder",
                  BUILD_TYPE,
                  "https://github.com/team/app",
                  "refs/heads/main"),
              CI));
      assertThat(VerificationReason.of(failure(() -> policy.verify(app, store))))
          .containsExactly(VerificationReason.PROVENANCE_BUILDER);
    }

    @Test
    @DisplayName("wrong signer, other subject, other build type, other source: each its reason")
    void eachReason() {
      attest(
          dsse(
              statement(
                  app.digest(),
                  BUILDER,
                  BUILD_TYPE,
                  "https://github.com/team/app",
                  "refs/heads/main"),
              ROGUE));
      assertThat(VerificationReason.of(failure(() -> policy.verify(app, store))))
          .containsExactly(VerificationReason.PROVENANCE_UNTRUSTED);

      attest(
          dsse(
              statement(
                  Digest.sha256("other"),
                  BUILDER,
                  BUILD_TYPE,
                  "https://github.com/team/app",
                  "refs/heads/main"),
              CI));
      assertThat(VerificationReason.of(failure(() -> policy.verify(app, store))))
          .containsExactly(VerificationReason.PROVENANCE_SUBJECT);

      attest(
          dsse(
              statement(
                  app.digest(),
                  BUILDER,
                  "https://other/type",
                  "https://github.com/team/app",
                  "refs/heads/main"),
              CI));
      assertThat(VerificationReason.of(failure(() -> policy.verify(app, store))))
          .containsExactly(VerificationReason.PROVENANCE_BUILD_TYPE);

      attest(
          dsse(
              statement(
                  app.digest(),
                  BUILDER,
                  BUILD_TYPE,
                  "https://github.com/fork/app",
                  "refs/heads/dev"),
              CI));
      assertThat(VerificationReason.of(failure(() -> policy.verify(app, store))))
          .containsExactly(VerificationReason.PROVENANCE_SOURCE);
    }

    @Test
    @DisplayName(
        "no attestation: provenance.missing; an envelope that is not JSON: provenance.malformed")
    void missingAndMalformed() {
      assertThat(VerificationReason.of(failure(() -> policy.verify(app, store))))
          .containsExactly(VerificationReason.PROVENANCE_MISSING);
      attest("not json".getBytes(StandardCharsets.UTF_8));
      assertThat(VerificationReason.of(failure(() -> policy.verify(app, store))))
          .containsExactly(VerificationReason.PROVENANCE_MALFORMED);
    }
  }

  @Nested
  @DisplayName("repositories, age and labels")
  class Other {
    @Test
    @DisplayName(
        "a repository outside the allowed patterns fails before anything is read from the store")
    void repositoryNotAllowed() {
      VerificationPolicy policy =
          VerificationPolicy.builder()
              .allowRepositories("registry.example.com/other/**")
              .requireSignatures(SignatureRequirement.anyOf(RELEASE_KEY))
              .build();
      int before = store.calls.get();

      assertThat(VerificationReason.of(failure(() -> policy.verify(app, store))))
          .containsExactly(VerificationReason.REPOSITORY_NOT_ALLOWED);
      assertThat(store.calls.get()).isEqualTo(before);
      assertThat(
              VerificationPolicy.builder()
                  .allowRepositories("registry.example.com/*/app")
                  .build()
                  .verify(app, store))
          .containsExactly(
              "repository: 'registry.example.com/team/app' allowed by 'registry.example.com/*/app'");
    }

    @Test
    @DisplayName("maximum age is measured on the injected clock; no creation time is age.unknown")
    void maxAge() {
      Instant now = Instant.parse("2026-03-01T00:00:00Z");
      VerificationPolicy policy =
          VerificationPolicy.builder()
              .maxAge(Duration.ofDays(30))
              .clock(InstantSource.fixed(now))
              .build();
      store.describe(app, now.minus(Duration.ofDays(10)), Map.of());
      assertThat(policy.verify(app, store))
          .singleElement()
          .asString()
          .startsWith("age: created 2026-02-19");

      store.describe(app, now.minus(Duration.ofDays(31)), Map.of());
      assertThat(VerificationReason.of(failure(() -> policy.verify(app, store))))
          .containsExactly(VerificationReason.AGE_EXCEEDED);

      store.describe(app, null, Map.of());
      assertThat(VerificationReason.of(failure(() -> policy.verify(app, store))))
          .containsExactly(VerificationReason.AGE_UNKNOWN);
    }

    @Test
    @DisplayName("a forbidden label value fails; other values pass")
    void labels() {
      VerificationPolicy policy =
          VerificationPolicy.builder()
              .forbidLabel("org.opencontainers.image.title", "*-debug")
              .build();
      store.describe(app, null, Map.of("org.opencontainers.image.title", "app-debug"));
      assertThat(VerificationReason.of(failure(() -> policy.verify(app, store))))
          .containsExactly(VerificationReason.LABEL_FORBIDDEN);
      store.describe(app, null, Map.of("org.opencontainers.image.title", "app"));
      assertThat(policy.verify(app, store)).singleElement().asString().startsWith("labels: none");
    }

    @Test
    @DisplayName("every failed check is reported at once")
    void allFailuresTogether() {
      VerificationPolicy policy =
          VerificationPolicy.builder()
              .requireSignatures(SignatureRequirement.anyOf(RELEASE_KEY))
              .forbidLabel("debug", "*")
              .build();
      store.describe(app, null, Map.of("debug", "true"));
      assertThat(VerificationReason.of(failure(() -> policy.verify(app, store))))
          .containsExactly(
              VerificationReason.SIGNATURE_MISSING, VerificationReason.LABEL_FORBIDDEN);
    }
  }

  @Nested
  @DisplayName("YAML and JSON")
  class Parsing {
    @TempDir Path dir;

    @Test
    @DisplayName("a YAML policy with inline and file keys behaves like the built one")
    void yaml() throws Exception {
      Files.writeString(dir.resolve("ci.pub"), CosignFixtures.pem(CI));
      String yaml =
          """
          allowedRepositories: ["registry.example.com/team/**"]
          signatures:
            threshold: 2
            keys:
              - name: release
                pem: |
          %s
              - name: ci
                file: ci.pub
          provenance:
            keys: [{name: ci, file: ci.pub}]
            builderIds: ["https://github.com/slsa-framework/**"]
            sourceRefs: ["refs/heads/*"]
          maxAge: 30d
          forbiddenLabels:
            debug: "*"
          """
              .formatted(CosignFixtures.pem(RELEASE).indent(8).stripTrailing());

      VerificationPolicy policy = VerificationPolicy.fromYaml(yaml, dir);

      assertThat(policy.signatures().threshold()).isEqualTo(2);
      assertThat(policy.signatures().keys()).containsExactly(RELEASE_KEY, CI_KEY);
      assertThat(policy.provenance().keys()).containsExactly(CI_KEY);
      assertThat(policy.maxAge()).isEqualTo(Duration.ofDays(30));
      assertThat(policy.forbiddenLabels()).containsEntry("debug", "*");
      sign(signed(REPO, app.digest(), RELEASE), signed(REPO, app.digest(), CI));
      attest(
          dsse(
              statement(
                  app.digest(),
                  BUILDER,
                  BUILD_TYPE,
                  "https://github.com/team/app",
                  "refs/heads/main"),
              CI));
      store.describe(app, Instant.now().minus(Duration.ofDays(1)), Map.of());
      assertThat(policy.verify(app, store)).hasSize(5);
    }

    @Test
    @DisplayName("JSON works the same way")
    void json() {
      String json =
          "{\"signatures\":{\"keys\":[{\"name\":\"release\",\"pem\":"
              + quote(CosignFixtures.pem(RELEASE))
              + "}]}}";
      sign(signed(REPO, app.digest(), RELEASE));
      assertThat(VerificationPolicy.fromJson(json, dir).verify(app, store)).hasSize(1);
    }

    @Test
    @DisplayName("mistakes are refused with the JSON path and a fix")
    void errors() {
      assertThatThrownBy(
              () -> VerificationPolicy.fromYaml("signatures: {treshold: 1, keys: []}", dir))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("$.signatures.treshold");
      String pem = quote(CosignFixtures.pem(RELEASE));
      assertThatThrownBy(
              () ->
                  VerificationPolicy.fromJson(
                      "{\"signatures\":{\"threshold\":2,\"keys\":[{\"name\":\"a\",\"pem\":"
                          + pem
                          + "}]}}",
                      dir))
          .isInstanceOf(InvalidSpecException.class)
          .satisfies(
              e ->
                  assertThat(((InvalidSpecException) e).path())
                      .isEqualTo("$.signatures.threshold"));
      assertThatThrownBy(
              () ->
                  VerificationPolicy.fromYaml(
                      "signatures:\n  keys:\n    - {name: a, pem: nonsense}", dir))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("$.signatures.keys[0].pem")
          .hasMessageContaining("openssl pkey");
      assertThatThrownBy(() -> VerificationPolicy.fromYaml("signatures: [unclosed", dir))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("line 1");
      assertThatThrownBy(() -> VerificationPolicy.fromYaml("maxAge: soon", dir))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("$.maxAge");
      assertThatThrownBy(() -> VerificationPolicy.fromYaml("forbiddenLabels: {}", dir))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("checks nothing");
      assertThatThrownBy(() -> VerificationPolicy.fromYaml("provenance: {builderIds: [x]}", dir))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("$.provenance.keys");
    }

    @Test
    @DisplayName("a key file that cannot be read is refused at its JSON path (found by fuzzing)")
    void unreadableKeyFile() {
      assertThatThrownBy(
              () ->
                  VerificationPolicy.fromYaml(
                      "signatures:\n  keys:\n    - {name: a, file: missing.pub}", dir))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("missing.pub")
          .satisfies(
              e ->
                  assertThat(((InvalidSpecException) e).path())
                      .isEqualTo("$.signatures.keys[0].file"));
      // A NUL in the file name was an InvalidPathException (undocumented) from Path.resolve.
      assertThatThrownBy(
              () ->
                  VerificationPolicy.fromJson(
                      "{\"signatures\":{\"keys\":[{\"name\":\"a\",\"file\":\"a\\u0000b\"}]}}", dir))
          .isInstanceOf(InvalidSpecException.class)
          .satisfies(
              e ->
                  assertThat(((InvalidSpecException) e).path())
                      .isEqualTo("$.signatures.keys[0].file"));
    }

    @Test
    @DisplayName("what the builder refuses is reported at its JSON path (found by fuzzing)")
    void builderRefusalsAtTheirPath() {
      assertThatThrownBy(() -> VerificationPolicy.fromYaml("forbiddenLabels: {' ': x}", dir))
          .isInstanceOf(InvalidSpecException.class)
          .satisfies(
              e -> assertThat(((InvalidSpecException) e).path()).isEqualTo("$.forbiddenLabels. "));
    }

    private static String quote(String s) {
      return "\"" + s.replace("\n", "\\n") + "\"";
    }
  }
}
