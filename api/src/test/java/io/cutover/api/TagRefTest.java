// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TagRefTest {
  @Test
  @DisplayName("parses repository:tag, the last colon after the last slash being the tag's")
  void parse() {
    assertThat(TagRef.parse("team/app:1.4.2")).isEqualTo(new TagRef("team/app", "1.4.2"));
    TagRef withPort = TagRef.parse("registry.example.com:5000/team/app:v2_rc-1");
    assertThat(withPort.repository()).isEqualTo("registry.example.com:5000/team/app");
    assertThat(withPort.tag()).isEqualTo("v2_rc-1");
    assertThat(withPort).hasToString("registry.example.com:5000/team/app:v2_rc-1");
    assertThat(TagRef.parse(withPort.toString())).isEqualTo(withPort);
    assertThat(new TagRef("app", "A".repeat(128)).tag()).hasSize(128);
  }

  @Test
  @DisplayName("refuses text without a tag, digests, and invalid tags")
  void invalid() {
    assertPath(() -> TagRef.parse("team/app"), "tag");
    assertPath(() -> TagRef.parse("registry:5000/team/app"), "tag");
    assertPath(() -> TagRef.parse("team/app@" + Digest.sha256("x")), "tag");
    assertPath(() -> TagRef.parse("team/app:1.0@" + Digest.sha256("x")), "tag");
    assertPath(() -> TagRef.parse("team/app:.hidden"), "tag.tag");
    assertPath(() -> TagRef.parse("team/app:-x"), "tag.tag");
    assertPath(() -> TagRef.parse("team/app:"), "tag.tag");
    assertPath(() -> new TagRef("app", "A".repeat(129)), "tag.tag");
    assertPath(() -> new TagRef("app", "1 0"), "tag.tag");
    assertPath(() -> new TagRef("APP", "1.0"), "tag.repository");
    assertPath(() -> TagRef.parse(null), "tag");
  }

  private static void assertPath(Runnable r, String path) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo(path));
  }
}
