// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretSourceTest {
  @TempDir Path dir;

  @Test
  @DisplayName("an environment variable is read on each reveal and never shown by toString")
  void environment() {
    Map<String, String> env = new java.util.HashMap<>(Map.of("TOKEN", " s3cr3t-value\n"));
    SecretSource s = SecretSource.environment("TOKEN", env::get, "$.p.tokenEnv");

    assertThat(s.reveal()).isEqualTo("s3cr3t-value");
    env.put("TOKEN", "rotated");
    assertThat(s.reveal()).isEqualTo("rotated");
    assertThat(s).hasToString("environment variable TOKEN");

    env.remove("TOKEN");
    assertThatThrownBy(s::reveal)
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("$.p.tokenEnv")
        .hasMessageContaining("TOKEN");
  }

  @Test
  @DisplayName(
      "a file is stripped of its trailing newline; empty, missing or huge files are refused")
  void file() throws Exception {
    Path f = dir.resolve("token");
    Files.writeString(f, "from-file\n");
    SecretSource s = SecretSource.file(f, "$.p.tokenFile");
    assertThat(s.reveal()).isEqualTo("from-file");
    assertThat(s.toString()).doesNotContain("from-file");

    Files.writeString(f, "  \n");
    assertThatThrownBy(s::reveal)
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("empty");
    Files.write(f, new byte[SecretSource.MAX_FILE_BYTES + 1]);
    assertThatThrownBy(s::reveal)
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("larger than");
    assertThatThrownBy(SecretSource.file(dir.resolve("absent"), "$.p.tokenFile")::reveal)
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("$.p.tokenFile")
        .hasMessageContaining("cannot be read");
  }

  @Test
  @DisplayName("Redaction removes the user-info of every URL in a text, and only that")
  void redaction() {
    assertThat(
            Redaction.userInfo(
                "failed: https://admin:hunter2@prom.example:9090/api?q=a@b and ftp://x@y, mail a@b.c"))
        .isEqualTo("failed: https://***@prom.example:9090/api?q=a@b and ftp://***@y, mail a@b.c");
    assertThat(Redaction.userInfo("http://host/path@x")).isEqualTo("http://host/path@x");
    assertThat(Redaction.userInfo(null)).isNull();
  }
}
