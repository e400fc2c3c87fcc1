// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 15: a verification policy that gives a key twice is refused, in YAML and JSON, at
 * any depth. Before, the second value silently won: a second {@code maxAge} loosened the first, and
 * a second {@code signatures} block replaced the one a reviewer read.
 */
class PolicyDuplicateKeysTest {
  @TempDir Path dir;

  @Test
  @DisplayName("a top-level key given twice in YAML is refused, naming the key and the line")
  void yamlTopLevel() {
    String yaml = "maxAge: 1d\nforbiddenLabels: {debug: \"*\"}\nmaxAge: 3650d\n";

    assertThatThrownBy(() -> VerificationPolicy.fromYaml(yaml, dir))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("'maxAge'")
        .hasMessageContaining("twice")
        .hasMessageContaining("line 3")
        .hasMessageContaining("keep one");
  }

  @Test
  @DisplayName("a nested key given twice in YAML, and keys given twice in JSON, are refused")
  void nestedAndJson() {
    assertThatThrownBy(
            () ->
                VerificationPolicy.fromYaml(
                    "forbiddenLabels:\n  debug: \"*\"\n  debug: \"never\"\n", dir))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("'debug'");
    assertThatThrownBy(
            () -> VerificationPolicy.fromJson("{\"maxAge\":\"1d\",\"maxAge\":\"9d\"}", dir))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("'maxAge'")
        .hasMessageContaining("twice");
  }

  @Test
  @DisplayName("a policy with distinct keys still parses")
  void distinctKeysParse() {
    VerificationPolicy p =
        VerificationPolicy.fromYaml(
            "maxAge: 2d\nforbiddenLabels: {debug: \"*\", test: \"*\"}\n", dir);

    assertThat(p.maxAge()).isEqualTo(Duration.ofDays(2));
    assertThat(p.forbiddenLabels()).containsKeys("debug", "test");
  }
}
