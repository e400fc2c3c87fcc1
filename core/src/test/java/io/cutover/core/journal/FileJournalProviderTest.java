// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.core.ProviderConfigs;
import io.cutover.core.ProviderRegistry;
import io.cutover.spi.Journal;
import io.cutover.spi.JournalProvider;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("the 'file' journal provider")
class FileJournalProviderTest {
  @TempDir Path dir;

  @Test
  @DisplayName(
      "is discovered with ServiceLoader and opens a journal with the configured durability")
  void discovered() {
    ProviderRegistry registry = ProviderRegistry.create().withDiscovery();
    assertThat(registry.names(JournalProvider.class)).contains("file");
    try (Journal j =
        registry.journal(
            "file",
            ProviderConfigs.of(
                "file",
                Map.of("directory", dir.resolve("j").toString(), "durability", "os_buffered")))) {
      assertThat(j)
          .isInstanceOfSatisfying(
              FileJournal.class,
              f -> assertThat(f.durability()).isEqualTo(DurabilityMode.OS_BUFFERED));
      assertThat(j.tryLease("checkout", "r-1")).isTrue();
    }
    try (Journal j =
        registry.journal(
            "file", ProviderConfigs.of("file", Map.of("directory", dir.resolve("j").toString())))) {
      assertThat(((FileJournal) j).durability()).isEqualTo(DurabilityMode.FSYNC);
      assertThat(j.leaseHolder("checkout")).contains("r-1");
    }
  }

  @Test
  @DisplayName(
      "refuses unknown keys, a missing directory and an unknown durability, naming the JSON path")
  void validation() {
    FileJournalProvider p = new FileJournalProvider();
    assertThatThrownBy(
            () ->
                p.create(
                    ProviderConfigs.of(
                        "file", Map.of("directory", dir.toString(), "durabilty", "fsync")),
                    ProviderRegistry.create().withDiscovery().context()))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> {
              assertThat(e.path()).isEqualTo("$.providers.file.durabilty");
              assertThat(e.getMessage()).contains("[directory, durability]");
            });
    assertThatThrownBy(
            () ->
                p.create(
                    ProviderConfigs.empty("file"),
                    ProviderRegistry.create().withDiscovery().context()))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> assertThat(e.path()).isEqualTo("$.providers.file.directory"));
    assertThatThrownBy(
            () ->
                p.create(
                    ProviderConfigs.of(
                        "file", Map.of("directory", dir.toString(), "durability", "sometimes")),
                    ProviderRegistry.create().withDiscovery().context()))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> {
              assertThat(e.path()).isEqualTo("$.providers.file.durability");
              assertThat(e.getMessage()).contains("'sometimes'").contains("os_buffered");
            });
    assertThat(dir.resolve("journal.lock")).doesNotExist();
  }
}
