// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal;

import io.cutover.api.ProviderException;
import io.cutover.spi.JournalRecord;
import io.cutover.testfixtures.fuzz.Fuzz;
import io.cutover.testfixtures.fuzz.Mutations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes the journal's frame reader: one file of a valid journal directory (a segment, the lease
 * table...) is replaced by a mutated copy, and {@link FileJournal#open} either opens it (a torn
 * tail is truncated; every record it then replays is whole) or refuses it with a {@link
 * JournalCorruptedException} naming the file. Never another exception, never a hang on a length
 * field that claims gigabytes.
 */
class JournalFramesFuzzTest {
  private static Path root;
  private static Map<String, byte[]> files;

  @BeforeContainer
  static void makeJournal() throws IOException {
    root = Files.createTempDirectory("journal-fuzz");
    Path seed = root.resolve("seed");
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    try (FileJournal j = FileJournal.builder(seed).segmentSize(4096).open()) {
      for (int i = 0; i < 30; i++) {
        j.append(
            JournalRecord.of(
                t0.plusSeconds(i),
                "r-" + (i % 3),
                "cafe-☕",
                JournalRecord.Type.INTENT,
                "r-" + (i % 3) + "/s" + i + "/route",
                "{\"weights\":{\"v2\":" + (i * 100) + "},\"pad\":\"" + "x".repeat(200) + "\"}"));
      }
      j.tryLease("cafe-☕", "r-1");
    }
    files = new TreeMap<>();
    try (Stream<Path> s = Files.list(seed)) {
      for (Path p : s.toList()) {
        if (Files.isRegularFile(p)
            && Files.size(p) > 0
            && !p.getFileName().toString().endsWith(".lock")) {
          files.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
      }
    }
  }

  @AfterContainer
  static void clean() throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted((a, b) -> b.compareTo(a)).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private record Damage(String file, byte[] bytes) {
    @Override
    public String toString() {
      return file + ": " + Fuzz.printable(bytes);
    }
  }

  @Provide
  Arbitrary<Damage> damages() {
    List<String> names = new ArrayList<>(files.keySet());
    return Arbitraries.of(names)
        .flatMap(n -> Mutations.bytes(List.of(files.get(n))).map(b -> new Damage(n, b)));
  }

  @Property
  void openOrRefuseWithTheFile(@ForAll("damages") Damage damage) throws IOException {
    Path dir = Files.createTempDirectory(root, "j");
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      Files.write(
          dir.resolve(e.getKey()),
          e.getKey().equals(damage.file()) ? damage.bytes() : e.getValue());
    }
    Fuzz.Outcome<Integer> out =
        Fuzz.run(
            "journal_frames",
            damage,
            () -> {
              try (FileJournal j = FileJournal.open(dir)) {
                List<JournalRecord> seen = new ArrayList<>();
                j.replay(0, seen::add);
                j.leaseHolder("cafe-☕");
                return seen.size();
              }
            },
            JournalCorruptedException.class,
            ProviderException.class);
    if (!out.accepted()) {
      String message = out.refusal().getMessage();
      Fuzz.require(
          message.contains(damage.file()) || message.contains(dir.toString()),
          "journal_frames",
          damage,
          () -> "the refusal names neither the file nor the directory: " + message);
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted((a, b) -> b.compareTo(a)).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (UncheckedIOException ignored) {
      // best effort
    }
  }
}
