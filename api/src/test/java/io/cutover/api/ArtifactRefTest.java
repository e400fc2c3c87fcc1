// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ArtifactRefTest {
  private static final Digest D = Digest.sha256("app");

  @Test
  @DisplayName("parses repository@digest, with or without a registry host and port")
  void parse() {
    assertThat(ArtifactRef.parse("team/app@" + D)).isEqualTo(new ArtifactRef("team/app", D));
    ArtifactRef withPort = ArtifactRef.parse("registry.example.com:5000/team/app@" + D);
    assertThat(withPort.repository()).isEqualTo("registry.example.com:5000/team/app");
    assertThat(withPort.digest()).isEqualTo(D);
    assertThat(withPort).hasToString("registry.example.com:5000/team/app@" + D);
    assertThat(ArtifactRef.parse(withPort.toString())).isEqualTo(withPort);
    assertThat(ArtifactRef.parse("localhost:5000/app@" + D).repository())
        .isEqualTo("localhost:5000/app");
  }

  @Test
  @DisplayName("repo:tag@digest keeps the digest and drops the tag, also behind a registry port")
  void tagPinnedToDigest() {
    assertThat(ArtifactRef.parse("team/app:1.4.2@" + D)).isEqualTo(new ArtifactRef("team/app", D));
    assertThat(ArtifactRef.parse("registry:5000/team/app:1.4.2@" + D).repository())
        .isEqualTo("registry:5000/team/app");
  }

  @Test
  @DisplayName("a tag alone is a MutableReferenceException that tells how to resolve it")
  void tagGiven() {
    assertThatThrownBy(() -> ArtifactRef.parse("team/app:1.2", "spec.image"))
        .isInstanceOfSatisfying(
            MutableReferenceException.class,
            e -> {
              assertThat(e.reference()).isEqualTo("team/app:1.2");
              assertThat(e.getMessage())
                  .startsWith("spec.image: 'team/app:1.2' is a mutable tag reference")
                  .contains("ArtifactStore.resolve(TagRef)");
            });
    assertThatThrownBy(() -> ArtifactRef.parse("registry:5000/team/app:latest"))
        .isInstanceOf(MutableReferenceException.class);
  }

  @Test
  @DisplayName("refuses a missing digest, bad repositories and bad digests, naming the part")
  void invalid() {
    assertPath("registry:5000/team/app", "artifact", "has no '@digest' part");
    assertPath("team/app", "artifact", "has no '@digest' part");
    assertPath("Team/App@" + D, "artifact.repository", "is not a valid repository name");
    assertPath("@" + D, "artifact.repository", "is not a valid repository name");
    assertPath("team//app@" + D, "artifact.repository", "is not a valid repository name");
    assertPath("team/app@sha256:abc", "artifact.digest", "exactly 64");
    assertThatThrownBy(() -> new ArtifactRef("team/app", null))
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("artifact.digest"));
    assertThatThrownBy(() -> new ArtifactRef("a".repeat(256), D))
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("artifact.repository"));
  }

  private static void assertPath(String text, String path, String problem) {
    assertThatThrownBy(() -> ArtifactRef.parse(text))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> {
              assertThat(e.path()).isEqualTo(path);
              assertThat(e.getMessage()).contains(problem);
            });
  }
}
