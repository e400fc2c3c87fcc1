// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.Release;
import org.junit.jupiter.api.Test;

class KubernetesNamesTest {
  private static final String DNS_1035 = "[a-z]([-a-z0-9]*[a-z0-9])?";

  private static Release release(String service) {
    return Release.of(
        service, ArtifactRef.parse("registry.local/" + service + "@" + Digest.sha256("v1")));
  }

  @Test
  void shortServiceKeepsTheReleaseId() {
    Release r = release("checkout");
    assertThat(KubernetesNames.releaseName(r)).isEqualTo(r.id()).matches(DNS_1035);
  }

  @Test
  void longServiceIsCutButKeepsTheHashAndFitsALabel() {
    String service = "a".repeat(30) + "-" + "b".repeat(32);
    Release r = release(service);
    String name = KubernetesNames.releaseName(r);
    assertThat(name)
        .hasSizeLessThanOrEqualTo(63)
        .matches(DNS_1035)
        .endsWith(r.id().substring(r.id().length() - 13));
    assertThat(KubernetesNames.releaseName(r.id())).isEqualTo(name);
  }

  @Test
  void cutNeverEndsTheServicePartWithADash() {
    String service = "a".repeat(49) + "-" + "b".repeat(13);
    assertThat(KubernetesNames.releaseName(release(service)))
        .doesNotContain("--")
        .matches(DNS_1035);
  }

  @Test
  void serviceStartingWithADigitGetsALetterPrefix() {
    assertThat(KubernetesNames.releaseName(release("9lives")))
        .startsWith("r-9lives-")
        .matches(DNS_1035);
  }

  @Test
  void somethingThatIsNotAReleaseIdIsRefusedWithTheFix() {
    assertThatThrownBy(() -> KubernetesNames.releaseName("checkout"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'checkout'")
        .hasMessageContaining("Release.id()");
  }
}
