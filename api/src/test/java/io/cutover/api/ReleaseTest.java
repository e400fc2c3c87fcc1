// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReleaseTest {
  private static final ArtifactRef V1 = new ArtifactRef("team/checkout", Digest.sha256("v1"));
  private static final ArtifactRef V2 = new ArtifactRef("team/checkout", Digest.sha256("v2"));
  private static final ConfigRef POOL_20 = ConfigRef.of(Map.of("pool.size", "20"));

  @Test
  @DisplayName("the id is <service>-<12 hex> of the SHA-256 of service, artifact and config digest")
  void idDerived() {
    Release r = Release.of("checkout", V1, POOL_20);
    String expected =
        "checkout-" + Digest.sha256("checkout\n" + V1 + "\n" + POOL_20.digest()).shortHex();

    assertThat(r.id()).isEqualTo(expected).matches("checkout-[0-9a-f]{12}");
    assertThat(Release.of("checkout", V1, POOL_20).id()).isEqualTo(r.id());
    assertThat(r.service()).isEqualTo("checkout");
    assertThat(r.artifact()).isEqualTo(V1);
    assertThat(r.config()).isEqualTo(POOL_20);
  }

  @Test
  @DisplayName("a new artifact, a new config or another service is a new release")
  void identity() {
    Release base = Release.of("checkout", V1, POOL_20);

    assertThat(Release.of("checkout", V2, POOL_20))
        .isNotEqualTo(base)
        .extracting(Release::id)
        .isNotEqualTo(base.id());
    Release reconfigured = Release.of("checkout", V1, ConfigRef.of(Map.of("pool.size", "40")));
    assertThat(reconfigured).isNotEqualTo(base);
    assertThat(reconfigured.id()).isNotEqualTo(base.id());
    assertThat(Release.of("cart", V1, POOL_20).id()).startsWith("cart-").isNotEqualTo(base.id());
    assertThat(Release.of("checkout", V1)).isEqualTo(Release.of("checkout", V1, ConfigRef.EMPTY));
  }

  @Test
  @DisplayName("the label is for humans only: not part of identity, defaulting to the short digest")
  void label() {
    Release plain = Release.of("checkout", V1);
    Release labelled = plain.withLabel("v1.4.2");

    assertThat(plain.label()).isEqualTo(Digest.sha256("v1").shortHex());
    assertThat(labelled.label()).isEqualTo("v1.4.2");
    assertThat(labelled).isEqualTo(plain).hasSameHashCodeAs(plain);
    assertThat(labelled.id()).isEqualTo(plain.id());
    assertThat(labelled.withLabel(" ").label()).isEqualTo(plain.label());
    assertThat(labelled.toString()).contains(plain.id()).contains("v1.4.2").contains(V1.toString());
  }

  @Test
  @DisplayName("refuses invalid service names and missing parts, naming the field")
  void invalid() {
    for (String service :
        new String[] {"Checkout", "-checkout", "checkout-", "check_out", "", "a".repeat(64)}) {
      assertThatThrownBy(() -> Release.of(service, V1))
          .as(service)
          .isInstanceOfSatisfying(
              InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("release.service"));
    }
    assertThat(Release.of("a".repeat(63), V1).service()).hasSize(63);
    assertThatThrownBy(() -> Release.of("checkout", null))
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("release.artifact"));
    assertThatThrownBy(() -> Release.of("checkout", V1, null))
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("release.config"));
  }
}
