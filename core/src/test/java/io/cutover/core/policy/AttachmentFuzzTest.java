// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy;

import io.cutover.api.ArtifactRef;
import io.cutover.api.VerificationException;
import io.cutover.testfixtures.CosignFixtures;
import io.cutover.testfixtures.fuzz.Fuzz;
import io.cutover.testfixtures.fuzz.Mutations;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes what a registry hands the verification policy: cosign signature payloads (mutated, then
 * validly signed, so the payload reader is reached), {@code .sig} manifests, DSSE envelopes and the
 * in-toto statements inside them (mutated, then validly signed). {@link VerificationPolicy#verify}
 * returns its evidence or throws a {@link VerificationException} naming the artifact; never
 * anything else.
 */
class AttachmentFuzzTest {
  private static final String REPO = VerificationPolicyTest.REPO;
  private static final KeyPair KEY = CosignFixtures.newKey();
  private static final TrustedKey TRUSTED = TrustedKey.of("release", KEY.getPublic());
  private static final VerificationPolicy SIGNED =
      VerificationPolicy.builder().requireSignatures(SignatureRequirement.anyOf(TRUSTED)).build();
  private static final VerificationPolicy PROVENANCE =
      VerificationPolicy.builder()
          .requireProvenance(
              ProvenanceRequirement.of(
                  List.of(TRUSTED), List.of("https://github.com/slsa-framework/**")))
          .build();
  private static final byte[] IMAGE = "the image manifest".getBytes(StandardCharsets.UTF_8);
  private static final ArtifactRef APP = new MapStore().put(REPO, IMAGE);

  private static String payload() {
    return new String(
        CosignFixtures.payload(REPO, APP.digest(), CosignFixtures.PAYLOAD_TYPE),
        StandardCharsets.UTF_8);
  }

  private static String statement() {
    return new String(
        CosignFixtures.statement(
            APP.digest(),
            VerificationPolicyTest.BUILDER,
            VerificationPolicyTest.BUILD_TYPE,
            "https://github.com/team/app",
            "refs/heads/main"),
        StandardCharsets.UTF_8);
  }

  @Provide
  Arbitrary<String> payloads() {
    return Mutations.json(List.of(payload()));
  }

  @Provide
  Arbitrary<String> sigManifests() {
    return Mutations.json(List.of(sigManifest(payload().getBytes(StandardCharsets.UTF_8))));
  }

  @Provide
  Arbitrary<String> statements() {
    return Mutations.json(List.of(statement()));
  }

  @Provide
  Arbitrary<String> envelopes() {
    return Mutations.json(
        List.of(
            new String(
                CosignFixtures.dsse(statement().getBytes(StandardCharsets.UTF_8), KEY),
                StandardCharsets.UTF_8)));
  }

  @Property
  void signedPayloads(@ForAll("payloads") String payload) {
    byte[] p = payload.getBytes(StandardCharsets.UTF_8);
    check(
        "cosign_payload",
        payload,
        SIGNED,
        store -> {
          store.put(
              REPO,
              "sha256-" + APP.digest().hex() + ".sig",
              CosignFixtures.signatures(
                  new CosignFixtures.SigLayer(
                      p,
                      Base64.getEncoder()
                          .encodeToString(CosignFixtures.sign(KEY.getPrivate(), p)))));
          return store;
        });
  }

  @Property
  void signatureManifests(@ForAll("sigManifests") String manifest) {
    check(
        "cosign_manifest",
        manifest,
        SIGNED,
        store -> {
          byte[] p = payload().getBytes(StandardCharsets.UTF_8);
          store.put(REPO, p);
          ArtifactRef m = store.put(REPO, manifest.getBytes(StandardCharsets.UTF_8));
          store.tags.put(REPO + ":sha256-" + APP.digest().hex() + ".sig", m.digest());
          return store;
        });
  }

  @Property
  void signedStatements(@ForAll("statements") String statement) {
    byte[] envelope = CosignFixtures.dsse(statement.getBytes(StandardCharsets.UTF_8), KEY);
    check("dsse_statement", statement, PROVENANCE, store -> attest(store, envelope));
  }

  @Property
  void envelopes(@ForAll("envelopes") String envelope) {
    check(
        "dsse_envelope",
        envelope,
        PROVENANCE,
        store -> attest(store, envelope.getBytes(StandardCharsets.UTF_8)));
  }

  private static MapStore attest(MapStore store, byte[] envelope) {
    store.put(REPO, "sha256-" + APP.digest().hex() + ".att", CosignFixtures.attestations(envelope));
    return store;
  }

  private static String sigManifest(byte[] payload) {
    return new String(
        CosignFixtures.signatures(
                new CosignFixtures.SigLayer(
                    payload,
                    Base64.getEncoder()
                        .encodeToString(CosignFixtures.sign(KEY.getPrivate(), payload))))
            .manifest(),
        StandardCharsets.UTF_8);
  }

  private static void check(
      String parser, String input, VerificationPolicy policy, Function<MapStore, MapStore> setUp) {
    MapStore store = new MapStore();
    store.put(REPO, IMAGE);
    setUp.apply(store);
    Fuzz.Outcome<List<String>> out =
        Fuzz.run(parser, input, () -> policy.verify(APP, store), VerificationException.class);
    if (!out.accepted()) {
      String message = out.refusal().getMessage();
      Fuzz.require(
          message.contains(APP.digest().hex().substring(0, 12)) || message.contains(REPO),
          parser,
          input,
          () -> "the refusal does not name the artifact: " + message);
    }
  }
}
