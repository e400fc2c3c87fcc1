// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci.internal;

import io.cutover.api.Digest;
import io.cutover.api.ProviderException;
import io.cutover.provider.oci.Platform;
import io.cutover.provider.oci.internal.Manifests.Manifest;
import io.cutover.testfixtures.fuzz.Fuzz;
import io.cutover.testfixtures.fuzz.Mutations;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the OCI manifest, index and image config readers with mutated registry responses: a
 * manifest body is parsed or refused with a permanent {@link ProviderException} naming the subject;
 * an accepted one answers every question the store asks of it (children, index platform selection)
 * without throwing; a config blob never throws.
 */
class ManifestsFuzzTest {
  private static final String D1 = Digest.sha256("config").toString();
  private static final String D2 = Digest.sha256("layer").toString();
  private static final String D3 = Digest.sha256("child").toString();
  private static final List<String> MANIFESTS =
      List.of(
          "{\"schemaVersion\":2,\"mediaType\":\""
              + Manifests.OCI_MANIFEST
              + "\","
              + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
              + "\"digest\":\""
              + D1
              + "\",\"size\":123},"
              + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
              + "\"digest\":\""
              + D2
              + "\",\"size\":4567,"
              + "\"annotations\":{\"org.opencontainers.image.title\":\"app.tar\"}}],"
              + "\"annotations\":{\"org.opencontainers.image.created\":\"2026-01-01T00:00:00Z\"}}",
          "{\"schemaVersion\":2,\"mediaType\":\""
              + Manifests.OCI_INDEX
              + "\",\"manifests\":["
              + "{\"mediaType\":\""
              + Manifests.OCI_MANIFEST
              + "\",\"digest\":\""
              + D3
              + "\","
              + "\"size\":500,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
              + "{\"mediaType\":\""
              + Manifests.OCI_MANIFEST
              + "\",\"digest\":\""
              + D2
              + "\","
              + "\"size\":501,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\","
              + "\"variant\":\"v8\"}}]}",
          "{\"schemaVersion\":2,\"mediaType\":\""
              + Manifests.DOCKER_LIST
              + "\",\"manifests\":["
              + "{\"mediaType\":\""
              + Manifests.DOCKER_MANIFEST
              + "\",\"digest\":\""
              + D3
              + "\","
              + "\"size\":7,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}",
          "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
              + "\"digest\":\""
              + D1
              + "\",\"size\":2},\"layers\":[{\"mediaType\":"
              + "\"application/vnd.dev.cosign.simplesigning.v1+json\",\"digest\":\""
              + D2
              + "\","
              + "\"size\":250,\"annotations\":{\"dev.cosignproject.cosign/signature\":\"MEUCIQ==\"}}]}");
  private static final List<String> CONFIGS =
      List.of(
          "{\"created\":\"2026-01-01T00:00:00Z\",\"architecture\":\"amd64\",\"os\":\"linux\","
              + "\"config\":{\"Labels\":{\"org.opencontainers.image.version\":\"1.0\","
              + "\"io.cutover.start\":\"bin/app\"}},\"rootfs\":{\"type\":\"layers\"}}",
          "{\"created\":\"2026-01-01T00:00:00.123+02:00\",\"config\":{}}");

  @Provide
  Arbitrary<String> mutatedManifests() {
    return Mutations.json(MANIFESTS);
  }

  @Provide
  Arbitrary<String> mutatedConfigs() {
    return Mutations.json(CONFIGS);
  }

  @Property
  void manifestsAreReadOrRefused(@ForAll("mutatedManifests") String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    Fuzz.Outcome<Manifest> out =
        Fuzz.run(
            "oci_manifest",
            body,
            () -> Manifests.parse(bytes, "application/json; charset=utf-8", "demo/app@" + D3),
            ProviderException.class);
    if (out.accepted()) {
      Manifest m = out.value();
      Fuzz.run(
          "oci_manifest",
          body,
          () -> {
            m.isIndex();
            m.children().forEach(d -> d.digest().hex());
            Manifests.platforms(m);
            return Manifests.select(m, Platform.parse("linux/arm64/v8"));
          });
    } else {
      Fuzz.require(
          out.refusal().getMessage().contains("demo/app@" + D3),
          "oci_manifest",
          body,
          () -> "the refusal does not name the manifest: " + out.refusal().getMessage());
    }
  }

  @Property
  void configsNeverThrow(@ForAll("mutatedConfigs") String body) {
    Fuzz.run(
        "oci_config", body, () -> Manifests.parseConfig(body.getBytes(StandardCharsets.UTF_8)));
  }
}
