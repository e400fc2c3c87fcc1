// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy;

import static io.cutover.testfixtures.CosignFixtures.signatures;
import static io.cutover.testfixtures.CosignFixtures.signed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.cutover.api.ArtifactRef;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.VerificationException;
import io.cutover.testfixtures.CosignFixtures;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The verification policy's verified-digest cache: what it reuses, and what it never does. */
class VerifiedDigestCacheTest {
  static final String REPO = "registry.example.com/team/app";
  static final KeyPair RELEASE = CosignFixtures.newKey();
  static final KeyPair CI = CosignFixtures.newKey();
  static final TrustedKey RELEASE_KEY = TrustedKey.of("release", RELEASE.getPublic());
  static final TrustedKey CI_KEY = TrustedKey.of("ci", CI.getPublic());

  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-06T05:00:00Z"));
  final InstantSource clock = () -> now.get();
  MapStore store;
  ArtifactRef app;

  @BeforeEach
  void setUp() {
    store = new MapStore();
    app = store.put(REPO, "the image manifest".getBytes(StandardCharsets.UTF_8));
  }

  void sign(ArtifactRef subject, CosignFixtures.SigLayer... layers) {
    store.put(REPO, "sha256-" + subject.digest().hex() + ".sig", signatures(layers));
  }

  VerificationPolicy policy(SignatureRequirement req) {
    return VerificationPolicy.builder()
        .requireSignatures(req)
        .verifiedDigestCache(16, Duration.ofMinutes(10))
        .clock(clock)
        .build();
  }

  static VerificationReason reason(Throwable t) {
    assertThat(t).isInstanceOf(VerificationException.class);
    return VerificationReason.of((VerificationException) t).get(0);
  }

  @Test
  @DisplayName(
      "a digest verified once is not read again by the same policy, and the evidence says it came from the cache")
  void reusesEvidence() {
    sign(app, signed(REPO, app.digest(), RELEASE));
    VerificationPolicy policy = policy(SignatureRequirement.anyOf(RELEASE_KEY));
    List<String> first = policy.verify(app, store);
    int reads = store.calls.get();
    assertThat(reads).isPositive();

    List<String> second = policy.verify(app, store);

    assertThat(store.calls.get()).isEqualTo(reads);
    assertThat(second).startsWith(first.toArray(String[]::new)).hasSize(first.size() + 1);
    assertThat(second.get(second.size() - 1))
        .startsWith("cache: ")
        .contains("2026-12-06T05:00:00Z");
  }

  @Test
  @DisplayName("a policy with another key verifies afresh and fails although the digest is cached")
  void changedKeyReverifies() {
    sign(app, signed(REPO, app.digest(), RELEASE));
    policy(SignatureRequirement.anyOf(RELEASE_KEY)).verify(app, store);
    int reads = store.calls.get();

    Throwable t =
        catchThrowable(() -> policy(SignatureRequirement.anyOf(CI_KEY)).verify(app, store));

    assertThat(reason(t)).isEqualTo(VerificationReason.SIGNATURE_UNTRUSTED);
    assertThat(store.calls.get()).isGreaterThan(reads);
  }

  @Test
  @DisplayName("the same keys with a higher threshold verify afresh and fail")
  void changedPolicyReverifies() {
    sign(app, signed(REPO, app.digest(), RELEASE));
    policy(SignatureRequirement.anyOf(RELEASE_KEY, CI_KEY)).verify(app, store);

    Throwable t =
        catchThrowable(
            () ->
                policy(SignatureRequirement.threshold(2, RELEASE_KEY, CI_KEY)).verify(app, store));

    assertThat(reason(t)).isEqualTo(VerificationReason.SIGNATURE_THRESHOLD);
  }

  @Test
  @DisplayName(
      "with one digest cached, another digest whose signature was tampered with still fails")
  void otherDigestTamperedFails() {
    sign(app, signed(REPO, app.digest(), RELEASE));
    VerificationPolicy policy = policy(SignatureRequirement.anyOf(RELEASE_KEY));
    policy.verify(app, store);

    ArtifactRef other = store.put(REPO, "another image".getBytes(StandardCharsets.UTF_8));
    // The valid signature of the cached digest, moved onto a payload naming the other digest.
    CosignFixtures.SigLayer genuine = signed(REPO, app.digest(), RELEASE);
    byte[] payload =
        new String(genuine.payload(), StandardCharsets.UTF_8)
            .replace(app.digest().hex(), other.digest().hex())
            .getBytes(StandardCharsets.UTF_8);
    sign(other, new CosignFixtures.SigLayer(payload, genuine.signatureBase64()));
    assertThat(reason(catchThrowable(() -> policy.verify(other, store))))
        .isEqualTo(VerificationReason.SIGNATURE_UNTRUSTED);

    // A garbled signature over the right payload fails too.
    CosignFixtures.SigLayer right = signed(REPO, other.digest(), RELEASE);
    byte[] sig = Base64.getDecoder().decode(right.signatureBase64());
    sig[sig.length - 1] ^= 0x01;
    sign(
        other,
        new CosignFixtures.SigLayer(right.payload(), Base64.getEncoder().encodeToString(sig)));
    Throwable t = catchThrowable(() -> policy.verify(other, store));
    assertThat(reason(t))
        .isIn(VerificationReason.SIGNATURE_UNTRUSTED, VerificationReason.SIGNATURE_MALFORMED);

    // The cached digest is still served from the cache.
    assertThat(policy.verify(app, store)).last().asString().startsWith("cache: ");
  }

  @Test
  @DisplayName("failures are never cached: a signature pushed after a failure is found")
  void failuresAreNotCached() {
    VerificationPolicy policy = policy(SignatureRequirement.anyOf(RELEASE_KEY));
    assertThat(reason(catchThrowable(() -> policy.verify(app, store))))
        .isEqualTo(VerificationReason.SIGNATURE_MISSING);

    sign(app, signed(REPO, app.digest(), RELEASE));

    assertThat(policy.verify(app, store)).noneMatch(l -> l.startsWith("cache: "));
  }

  @Test
  @DisplayName(
      "an entry expires after its ttl on the injected clock; until then a deleted signature still counts")
  void expires() {
    sign(app, signed(REPO, app.digest(), RELEASE));
    VerificationPolicy policy = policy(SignatureRequirement.anyOf(RELEASE_KEY));
    policy.verify(app, store);
    store.tags.clear(); // the signature tag is deleted from the registry

    now.set(now.get().plus(Duration.ofMinutes(9)));
    assertThat(policy.verify(app, store)).last().asString().startsWith("cache: ");

    now.set(now.get().plus(Duration.ofMinutes(1)));
    assertThat(reason(catchThrowable(() -> policy.verify(app, store))))
        .isEqualTo(VerificationReason.SIGNATURE_MISSING);
  }

  @Test
  @DisplayName("bounded: the least recently used digest is verified again; 0 entries turn it off")
  void boundedAndOff() {
    VerificationPolicy two =
        VerificationPolicy.builder()
            .requireSignatures(SignatureRequirement.anyOf(RELEASE_KEY))
            .verifiedDigestCache(2, Duration.ofHours(1))
            .clock(clock)
            .build();
    ArtifactRef[] refs = new ArtifactRef[3];
    for (int i = 0; i < 3; i++) {
      refs[i] = store.put(REPO, ("image " + i).getBytes(StandardCharsets.UTF_8));
      sign(refs[i], signed(REPO, refs[i].digest(), RELEASE));
      two.verify(refs[i], store);
    }
    assertThat(two.verify(refs[2], store)).last().asString().startsWith("cache: ");
    assertThat(two.verify(refs[0], store)).noneMatch(l -> l.startsWith("cache: "));

    VerificationPolicy off =
        VerificationPolicy.builder()
            .requireSignatures(SignatureRequirement.anyOf(RELEASE_KEY))
            .verifiedDigestCache(0, Duration.ofHours(1))
            .build();
    off.verify(refs[1], store);
    int reads = store.calls.get();
    assertThat(off.verify(refs[1], store)).noneMatch(l -> l.startsWith("cache: "));
    assertThat(store.calls.get()).isGreaterThan(reads);

    assertThat(
            catchThrowable(
                () -> VerificationPolicy.builder().verifiedDigestCache(-1, Duration.ofHours(1))))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("verifiedDigestCache.maxEntries");
  }

  @Test
  @DisplayName("maximum age is checked on every call, cached signature or not")
  void ageIsNotCached() {
    sign(app, signed(REPO, app.digest(), RELEASE));
    store.describe(app, now.get().minus(Duration.ofDays(1)), java.util.Map.of());
    VerificationPolicy policy =
        VerificationPolicy.builder()
            .requireSignatures(SignatureRequirement.anyOf(RELEASE_KEY))
            .maxAge(Duration.ofDays(2))
            .verifiedDigestCache(16, Duration.ofDays(7))
            .clock(clock)
            .build();
    policy.verify(app, store);
    now.set(now.get().plus(Duration.ofMinutes(5)).plus(Duration.ofDays(1)));
    Throwable t = catchThrowable(() -> policy.verify(app, store));
    assertThat(VerificationReason.of((VerificationException) t))
        .containsExactly(VerificationReason.AGE_EXCEEDED);
  }
}
