// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci;

import static io.cutover.testfixtures.CosignFixtures.attestations;
import static io.cutover.testfixtures.CosignFixtures.dsse;
import static io.cutover.testfixtures.CosignFixtures.signatures;
import static io.cutover.testfixtures.CosignFixtures.signed;
import static io.cutover.testfixtures.CosignFixtures.statement;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.cutover.api.Artifact;
import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.DigestMismatchException;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.api.TagRef;
import io.cutover.api.VerificationException;
import io.cutover.core.Cutover;
import io.cutover.core.ProviderConfigs;
import io.cutover.core.ProviderRegistry;
import io.cutover.core.policy.ProvenanceRequirement;
import io.cutover.core.policy.SignatureRequirement;
import io.cutover.core.policy.TrustedKey;
import io.cutover.core.policy.VerificationPolicy;
import io.cutover.core.policy.VerificationReason;
import io.cutover.core.strategy.RecreateStrategy;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.FakeRouter;
import io.cutover.spi.ArtifactStore;
import io.cutover.spi.ArtifactStoreProvider;
import io.cutover.testfixtures.CosignFixtures;
import io.cutover.testfixtures.RegistryServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.ServiceLoader;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI store and the verification policy against a real docker-registry, images built by umoci
 * and skopeo.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OciRegistryStoreTest {
  static final String BUILDER =
      "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder.yml@refs/tags/v2.0.0";
  static final String BUILD_TYPE =
      "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1";
  static final KeyPair RELEASE = CosignFixtures.newKey();
  static final KeyPair ROGUE = CosignFixtures.newKey();
  static final TrustedKey RELEASE_KEY = TrustedKey.of("release", RELEASE.getPublic());

  @TempDir static Path dir;
  RegistryServer registry;
  OciArtifactStore store;
  String repo;

  @BeforeAll
  void startRegistry() throws Exception {
    registry = RegistryServer.start(dir.resolve("registry"));
    repo = registry.host() + "/demo/app";
    registry.pushImage(
        dir,
        "demo/app",
        "1.0",
        "version one\n",
        "2026-01-10T12:00:00Z",
        Map.of(
            "org.opencontainers.image.source",
            "https://github.com/team/app",
            "org.opencontainers.image.revision",
            "abc123"));
    store = newStore();
  }

  @AfterAll
  void stopRegistry() throws Exception {
    if (store != null) {
      store.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  OciArtifactStore newStore() {
    return OciArtifactStore.builder()
        .insecure(registry.host())
        .retry(2, Duration.ofMillis(10))
        .build();
  }

  /** A loopback host:port where nothing listens any more. */
  static String deadHost() throws IOException {
    try (java.net.ServerSocket free =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return "127.0.0.1:" + free.getLocalPort();
    }
  }

  static byte[] read(ArtifactStore s, ArtifactRef ref) throws IOException {
    try (InputStream in = s.fetch(ref)) {
      return in.readAllBytes();
    }
  }

  @Nested
  @DisplayName("resolve, describe, fetch")
  class Reading {
    @Test
    @DisplayName(
        "a tag resolves to the digest of its manifest, which describes the image umoci built")
    void resolveAndDescribe() throws IOException {
      ArtifactRef ref = store.resolve(new TagRef(repo, "1.0"));

      assertThat(Digest.sha256(read(store, ref))).isEqualTo(ref.digest());
      Artifact a = store.describe(ref);
      assertThat(a.mediaType()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
      assertThat(a.created()).isEqualTo(Instant.parse("2026-01-10T12:00:00Z"));
      assertThat(a.labels()).containsEntry("org.opencontainers.image.revision", "abc123");
      assertThat(a.provenance().sourceRepository()).isEqualTo("https://github.com/team/app");
      assertThat(store.verify(ref)).isEqualTo(a);
    }

    @Test
    @DisplayName("a tag moved after resolve does not change what the resolved digest serves")
    void tagMovedAfterResolve() throws Exception {
      registry.pushImage(dir, "demo/moving", "prod", "first\n", "2026-01-01T00:00:00Z", Map.of());
      TagRef prod = new TagRef(registry.host() + "/demo/moving", "prod");
      ArtifactRef deployed = store.resolve(prod);
      byte[] deployedManifest = read(store, deployed);

      registry.pushImage(dir, "demo/moving", "prod", "second\n", "2026-01-02T00:00:00Z", Map.of());

      ArtifactRef now = store.resolve(prod);
      assertThat(now).isNotEqualTo(deployed);
      try (OciArtifactStore fresh = newStore()) {
        assertThat(read(fresh, deployed)).isEqualTo(deployedManifest);
        assertThat(fresh.describe(deployed).created())
            .isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(fresh.describe(now).created()).isEqualTo(Instant.parse("2026-01-02T00:00:00Z"));
      }
    }

    @Test
    @DisplayName(
        "unknown tags and digests are NoSuchElementException; tags list without signature tags")
    void unknownAndList() throws IOException {
      assertThatThrownBy(() -> store.resolve(new TagRef(repo, "9.9")))
          .isInstanceOf(NoSuchElementException.class)
          .hasMessageContaining("404");
      assertThatThrownBy(() -> store.describe(new ArtifactRef(repo, Digest.sha256("nothing"))))
          .isInstanceOf(NoSuchElementException.class);
      ArtifactRef v1 = store.resolve(new TagRef(repo, "1.0"));
      registry.push(
          "demo/app",
          "sha256-" + v1.digest().hex() + ".sig",
          signatures(signed(repo, v1.digest(), RELEASE)));

      assertThat(store.tags(repo)).contains("1.0", "sha256-" + v1.digest().hex() + ".sig");
      assertThat(store.list(repo))
          .contains(v1)
          .allSatisfy(r -> assertThat(r.repository()).isEqualTo(repo))
          .noneMatch(r -> store.describe(r).mediaType().isEmpty());
      assertThat(store.list(registry.host() + "/demo/empty")).isEmpty();
    }

    @Test
    @DisplayName("a multi-arch index resolves to the manifest of the configured platform")
    void platformIndex() throws Exception {
      CosignFixtures.Attachment amd =
          CosignFixtures.image(
              "amd64 bits".getBytes(StandardCharsets.UTF_8), "2026-01-01T00:00:00Z", Map.of());
      CosignFixtures.Attachment arm =
          CosignFixtures.image(
              "arm64 bits".getBytes(StandardCharsets.UTF_8), "2026-01-01T00:00:00Z", Map.of());
      registry.push("demo/multi", amd.digest().toString(), amd);
      registry.push("demo/multi", arm.digest().toString(), arm);
      String index =
          """
          {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
          {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%d,"platform":{"os":"linux","architecture":"amd64"}},
          {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%d,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}}]}
          """
              .formatted(amd.digest(), amd.manifest().length, arm.digest(), arm.manifest().length);
      registry.putManifest(
          "demo/multi",
          "1.0",
          index.getBytes(StandardCharsets.UTF_8),
          "application/vnd.oci.image.index.v1+json");
      TagRef tag = new TagRef(registry.host() + "/demo/multi", "1.0");

      try (OciArtifactStore arm64 =
          OciArtifactStore.builder()
              .insecure(registry.host())
              .platform(Platform.parse("linux/arm64"))
              .build()) {
        assertThat(arm64.resolve(tag).digest()).isEqualTo(arm.digest());
      }
      ArtifactRef indexRef = store.resolve(tag);
      assertThat(indexRef.digest()).isEqualTo(Digest.sha256(index));
      assertThat(store.selectPlatform(indexRef, Platform.parse("linux/amd64")).digest())
          .isEqualTo(amd.digest());
      assertThatThrownBy(() -> store.selectPlatform(indexRef, Platform.parse("windows/amd64")))
          .isInstanceOf(NoSuchElementException.class)
          .hasMessageContaining("linux/arm64/v8");
    }
  }

  @Nested
  @DisplayName("tampering")
  class Tampering {
    @Test
    @DisplayName("a manifest modified in the registry's storage is refused by resolve and describe")
    void tamperedManifest() throws Exception {
      registry.pushImage(
          dir, "demo/tampered", "1.0", "genuine\n", "2026-01-01T00:00:00Z", Map.of());
      ArtifactRef ref = store.resolve(new TagRef(registry.host() + "/demo/tampered", "1.0"));
      Path file = registry.blobFile(ref.digest());
      Files.writeString(
          file, Files.readString(file).replace("\"schemaVersion\":2", "\"schemaVersion\":2 "));

      try (OciArtifactStore fresh = newStore()) {
        assertThatThrownBy(
                () -> fresh.resolve(new TagRef(registry.host() + "/demo/tampered", "1.0")))
            .isInstanceOf(DigestMismatchException.class);
        assertThatThrownBy(() -> fresh.describe(ref))
            .isInstanceOf(DigestMismatchException.class)
            .satisfies(
                e -> assertThat(((DigestMismatchException) e).expected()).isEqualTo(ref.digest()));
      }
    }

    @Test
    @DisplayName("a layer modified in storage is refused by verify")
    void tamperedBlob() throws Exception {
      registry.pushImage(
          dir, "demo/tamperblob", "1.0", "genuine layer\n", "2026-01-01T00:00:00Z", Map.of());
      ArtifactRef ref = store.resolve(new TagRef(registry.host() + "/demo/tamperblob", "1.0"));
      String manifest = new String(read(store, ref), StandardCharsets.UTF_8);
      Digest layer =
          Digest.parse(
              manifest.replaceAll(
                  "(?s).*\"layers\":\\[\\{[^}]*\"digest\":\"(sha256:[0-9a-f]{64})\".*", "$1"));
      Path file = registry.blobFile(layer);
      byte[] bytes = Files.readAllBytes(file);
      bytes[bytes.length / 2] ^= 0x55;
      Files.write(file, bytes);

      try (OciArtifactStore fresh = newStore()) {
        assertThatThrownBy(() -> fresh.verify(ref))
            .isInstanceOf(DigestMismatchException.class)
            .hasMessageContaining(layer.toString());
      }
    }
  }

  @Nested
  @DisplayName("signatures and provenance, verified by the policy through the store")
  class Verification {
    @Test
    @DisplayName(
        "a cosign signature by the trusted key verifies; evidence names the key and the .sig digest")
    void signedImage() throws Exception {
      ArtifactRef ref = pushSigned("signed", r -> signed(r.repository(), r.digest(), RELEASE));

      List<String> evidence =
          VerificationPolicy.builder()
              .allowRepositories(registry.host() + "/demo/**")
              .requireSignatures(SignatureRequirement.anyOf(RELEASE_KEY))
              .build()
              .verify(ref, store);

      assertThat(evidence).hasSize(2);
      assertThat(evidence.get(1)).contains("release (").contains(".sig@sha256:");
    }

    @Test
    @DisplayName(
        "unsigned, wrong key, malformed, wrong payload type, digest mismatch: each a typed reason")
    void refusals() throws Exception {
      VerificationPolicy policy =
          VerificationPolicy.builder()
              .requireSignatures(SignatureRequirement.anyOf(RELEASE_KEY))
              .build();
      ArtifactRef unsigned = pushImage("unsigned");

      assertThat(reasons(policy, unsigned)).containsExactly(VerificationReason.SIGNATURE_MISSING);
      assertThat(
              reasons(
                  policy, pushSigned("wrongkey", r -> signed(r.repository(), r.digest(), ROGUE))))
          .containsExactly(VerificationReason.SIGNATURE_UNTRUSTED);
      assertThat(
              reasons(
                  policy,
                  pushSigned(
                      "malformed",
                      r ->
                          new CosignFixtures.SigLayer(
                              CosignFixtures.payload(
                                  r.repository(), r.digest(), CosignFixtures.PAYLOAD_TYPE),
                              Base64.getEncoder()
                                  .encodeToString("not DER".getBytes(StandardCharsets.UTF_8))))))
          .containsExactly(VerificationReason.SIGNATURE_MALFORMED);
      assertThat(
              reasons(
                  policy,
                  pushSigned(
                      "payloadtype",
                      r -> {
                        byte[] p =
                            CosignFixtures.payload(
                                r.repository(), r.digest(), "not a cosign signature");
                        return new CosignFixtures.SigLayer(
                            p,
                            Base64.getEncoder()
                                .encodeToString(CosignFixtures.sign(RELEASE.getPrivate(), p)));
                      })))
          .containsExactly(VerificationReason.SIGNATURE_PAYLOAD_TYPE);
      assertThat(
              reasons(
                  policy,
                  pushSigned(
                      "mismatch",
                      r -> signed(r.repository(), Digest.sha256("another image"), RELEASE))))
          .containsExactly(VerificationReason.SIGNATURE_DIGEST_MISMATCH);
    }

    @Test
    @DisplayName(
        "SLSA provenance from a trusted builder verifies; from an untrusted builder it is refused")
    void provenance() throws Exception {
      VerificationPolicy policy =
          VerificationPolicy.builder()
              .requireProvenance(
                  ProvenanceRequirement.of(
                          List.of(RELEASE_KEY), List.of("https://github.com/slsa-framework/**"))
                      .withSourceRepositories("https://github.com/team/*"))
              .build();
      ArtifactRef good = pushAttested("attested", BUILDER);
      ArtifactRef bad = pushAttested("untrustedbuilder", "https://ci.evil.example/builder");

      assertThat(policy.verify(good, store))
          .singleElement()
          .asString()
          .contains(BUILDER)
          .contains("release (");
      VerificationException e =
          (VerificationException) catchThrowable(() -> policy.verify(bad, store));
      assertThat(VerificationReason.of(e)).containsExactly(VerificationReason.PROVENANCE_BUILDER);
      assertThat(e.getMessage()).contains("https://ci.evil.example/builder");
    }

    /** Pushes an image to demo/name and a .sig holding the layer made for its digest. */
    private ArtifactRef pushSigned(
        String name, Function<ArtifactRef, CosignFixtures.SigLayer> layer) throws Exception {
      ArtifactRef ref = pushImage(name);
      registry.push(
          "demo/" + name, "sha256-" + ref.digest().hex() + ".sig", signatures(layer.apply(ref)));
      return ref;
    }

    private ArtifactRef pushAttested(String name, String builder) throws Exception {
      ArtifactRef ref = pushImage(name);
      registry.push(
          "demo/" + name,
          "sha256-" + ref.digest().hex() + ".att",
          attestations(
              dsse(
                  statement(
                      ref.digest(),
                      builder,
                      BUILD_TYPE,
                      "https://github.com/team/app",
                      "refs/heads/main"),
                  RELEASE)));
      return ref;
    }

    /**
     * A one-layer image pushed over the API (umoci builds are kept for the tests about image
     * content).
     */
    private ArtifactRef pushImage(String name) throws IOException {
      CosignFixtures.Attachment image =
          CosignFixtures.image(
              (name + "\n").getBytes(StandardCharsets.UTF_8), "2026-01-01T00:00:00Z", Map.of());
      registry.push("demo/" + name, "1.0", image);
      return store.resolve(new TagRef(registry.host() + "/demo/" + name, "1.0"));
    }

    private List<VerificationReason> reasons(VerificationPolicy policy, ArtifactRef ref) {
      Throwable t = catchThrowable(() -> policy.verify(ref, store));
      assertThat(t).isInstanceOf(VerificationException.class);
      return VerificationReason.of((VerificationException) t);
    }
  }

  @Nested
  @DisplayName("the engine verifies before its first side effect")
  class Engine {
    @Test
    @DisplayName(
        "registry down: retries, then a typed ProviderException, and the fleet and router are never called")
    void registryDownNoSideEffect() throws IOException {
      String host = deadHost();
      FakeFleet fleet = FakeFleet.create();
      FakeRouter router = FakeRouter.create(java.time.InstantSource.system());
      Release release =
          Release.of(
              "checkout", new ArtifactRef(host + "/team/app", Digest.sha256("never pushed")));
      try (OciArtifactStore s =
              OciArtifactStore.builder().insecure(host).retry(3, Duration.ofMillis(5)).build();
          Cutover cutover =
              Cutover.builder()
                  .fleet(fleet)
                  .router(router)
                  .artifactStore(s)
                  .verifier(
                      VerificationPolicy.builder()
                          .requireSignatures(SignatureRequirement.anyOf(RELEASE_KEY))
                          .build())
                  .build()) {
        assertThatThrownBy(() -> cutover.deploy(RecreateStrategy.builder().build(), release, 2))
            .isInstanceOf(ProviderException.class)
            .hasMessageContaining("gave up after 3 attempt(s)");
      }
      assertThat(fleet.calls()).isEmpty();
      assertThat(router.timeline()).isEmpty();
    }

    @Test
    @DisplayName(
        "an unsigned image in a live registry: VerificationException, and the fleet and router are never called")
    void unsignedNoSideEffect() throws Exception {
      CosignFixtures.Attachment image =
          CosignFixtures.image(
              "engine\n".getBytes(StandardCharsets.UTF_8), "2026-01-01T00:00:00Z", Map.of());
      registry.push("demo/engine", "1.0", image);
      ArtifactRef ref = store.resolve(new TagRef(registry.host() + "/demo/engine", "1.0"));
      FakeFleet fleet = FakeFleet.create();
      FakeRouter router = FakeRouter.create(java.time.InstantSource.system());
      try (Cutover cutover =
          Cutover.builder()
              .fleet(fleet)
              .router(router)
              .artifactStore(store)
              .verifier(
                  VerificationPolicy.builder()
                      .requireSignatures(SignatureRequirement.anyOf(RELEASE_KEY))
                      .build())
              .build()) {
        Throwable t =
            catchThrowable(
                () ->
                    cutover.deploy(
                        RecreateStrategy.builder().build(), Release.of("checkout", ref), 2));
        assertThat(t).isInstanceOf(VerificationException.class);
        assertThat(VerificationReason.of((VerificationException) t))
            .containsExactly(VerificationReason.SIGNATURE_MISSING);
      }
      assertThat(fleet.calls()).isEmpty();
      assertThat(router.timeline()).isEmpty();
    }
  }

  @Nested
  @DisplayName("outages, mirrors and transport security")
  class Outages {
    @Test
    @DisplayName(
        "registry down (nothing listens): retried, then a retryable ProviderException naming the attempts")
    void registryDown() throws Exception {
      String host = deadHost();
      try (OciArtifactStore s =
          OciArtifactStore.builder().insecure(host).retry(3, Duration.ofMillis(5)).build()) {
        Throwable t = catchThrowable(() -> s.resolve(new TagRef(host + "/demo/app", "1.0")));
        assertThat(t)
            .isInstanceOf(ProviderException.class)
            .hasMessageContaining("gave up after 3 attempt(s)")
            .hasMessageContaining(host);
        assertThat(((ProviderException) t).retryable()).isTrue();
        assertThat(((ProviderException) t).provider()).isEqualTo("oci");
      }
    }

    @Test
    @DisplayName(
        "primary down: the mirror serves the same digest; describe of a cached digest needs no registry")
    void mirrorWhenPrimaryDown() throws Exception {
      RegistryServer primary = RegistryServer.start(dir.resolve("primary"));
      RegistryServer mirror = RegistryServer.start(dir.resolve("mirror"));
      String primaryHost = primary.host();
      try (OciArtifactStore s =
          OciArtifactStore.builder()
              .insecure(primary.host(), mirror.host())
              .mirrors(primary.host(), List.of(mirror.host()))
              .retry(2, Duration.ofMillis(5))
              .build()) {
        primary.pushImage(dir, "team/svc", "2.0", "service\n", "2026-01-05T00:00:00Z", Map.of());
        RegistryServer.copy(
            dir,
            "docker://" + primary.host() + "/team/svc:2.0",
            "docker://" + mirror.host() + "/team/svc:2.0");
        ArtifactRef original = s.resolve(new TagRef(primaryHost + "/team/svc", "2.0"));
        primary.close();

        ArtifactRef viaMirror = s.resolve(new TagRef(primaryHost + "/team/svc", "2.0"));

        assertThat(viaMirror).isEqualTo(original);
        assertThat(s.describe(original).created()).isEqualTo(Instant.parse("2026-01-05T00:00:00Z"));
        mirror.close();
        assertThat(s.describe(original).created()).isEqualTo(Instant.parse("2026-01-05T00:00:00Z"));
        assertThatThrownBy(() -> s.resolve(new TagRef(primaryHost + "/team/svc", "2.0")))
            .isInstanceOf(ProviderException.class);
      } finally {
        primary.close();
        mirror.close();
      }
    }

    @Test
    @DisplayName(
        "TLS is required unless the host is listed as insecure: a plain-HTTP registry is a non-retryable error with the fix")
    void tlsByDefault() {
      try (OciArtifactStore s = OciArtifactStore.builder().retry(3, Duration.ofMillis(5)).build()) {
        Throwable t = catchThrowable(() -> s.resolve(new TagRef(repo, "1.0")));
        assertThat(t).isInstanceOf(ProviderException.class).hasMessageContaining("insecure");
        assertThat(((ProviderException) t).retryable()).isFalse();
      }
    }

    @Test
    @DisplayName(
        "the provider is found by name, builds from configuration and refuses unknown keys")
    void provider() throws IOException {
      ArtifactStoreProvider p =
          ServiceLoader.load(ArtifactStoreProvider.class).stream()
              .map(ServiceLoader.Provider::get)
              .filter(x -> x.name().equals("oci"))
              .findFirst()
              .orElseThrow();
      ArtifactStore s =
          p.create(
              ProviderConfigs.of(
                  "oci",
                  Map.of(
                      "insecure",
                      List.of(registry.host()),
                      "retry",
                      Map.of("maxAttempts", 2, "backoff", "10ms"),
                      "timeout",
                      "5s")),
              ProviderRegistry.create().withDiscovery().context());
      ArtifactRef ref = s.resolve(new TagRef(repo, "1.0"));
      assertThat(Digest.sha256(read(s, ref))).isEqualTo(ref.digest());
      ((OciArtifactStore) s).close();
      assertThatThrownBy(
              () ->
                  p.create(
                      ProviderConfigs.of("oci", Map.of("insecur", List.of("x"))),
                      ProviderRegistry.create().withDiscovery().context()))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("$.providers.oci.insecur");
      assertThatThrownBy(
              () ->
                  p.create(
                      ProviderConfigs.of("oci", Map.of("retry", Map.of("maxAttempts", 0))),
                      ProviderRegistry.create().withDiscovery().context()))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("maxAttempts");
    }
  }
}
