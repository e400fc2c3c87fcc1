// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal;

import static io.cutover.core.journal.JournalFiles.T0;
import static io.cutover.core.journal.JournalFiles.created;
import static io.cutover.core.journal.JournalFiles.ended;
import static io.cutover.core.journal.JournalFiles.entryOffsets;
import static io.cutover.core.journal.JournalFiles.onlySegment;
import static io.cutover.core.journal.JournalFiles.segments;
import static io.cutover.core.journal.JournalFiles.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.spi.JournalRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("FileJournal")
class FileJournalTest {
  @TempDir Path root;
  Path dir;

  @BeforeEach
  void journalDir() {
    dir = root.resolve("journal");
  }

  private FileJournal open() {
    return FileJournal.builder(dir).durability(DurabilityMode.OS_BUFFERED).open();
  }

  /**
   * Appends {@code n} records spread over {@code rollouts} rollouts into 4 KiB segments, without
   * compaction.
   */
  private void writeInSmallSegments(int n, int rollouts) {
    try (FileJournal j =
        FileJournal.builder(dir)
            .durability(DurabilityMode.OS_BUFFERED)
            .segmentSize(4096)
            .compactAfterSegments(0)
            .open()) {
      for (int i = 0; i < n; i++) {
        j.append(state(rollouts == 1 ? "r-a" : "r-" + (i % rollouts), i));
      }
    }
  }

  private static List<JournalRecord> all(FileJournal j) {
    List<JournalRecord> out = new ArrayList<>();
    j.replay(0, out::add);
    return out;
  }

  @Nested
  @DisplayName("file permissions (issue 11, item 14)")
  class Permissions {
    /**
     * Fails with the JVM's defaults (0755 directories, 0644 files under the usual umask 022): the
     * journal must give its modes at creation, not rely on the umask or a chmod afterwards.
     */
    @Test
    @DisplayName(
        "the journal directory (and missing parents) is created 0700; lock, segments, snapshot and"
            + " history 0600")
    void privateModes() throws IOException {
      dir = root.resolve("parent").resolve("journal");
      try (FileJournal j =
          FileJournal.builder(dir)
              .durability(DurabilityMode.OS_BUFFERED)
              .segmentSize(4096)
              .compactAfterSegments(0)
              .open()) {
        for (int i = 0; i < 60; i++) {
          j.append(
              i % 20 == 19
                  ? ended("r-" + (i / 20), "checkout", T0, true)
                  : state("r-" + (i / 20), i));
        }
        j.compact();
      }
      assertThat(mode(dir)).isEqualTo("rwx------");
      assertThat(mode(root.resolve("parent"))).isEqualTo("rwx------");
      List<Path> files;
      try (var list = Files.list(dir)) {
        files = list.toList();
      }
      assertThat(files)
          .extracting(p -> p.getFileName().toString())
          .contains("journal.lock", "snapshot.dat")
          .anyMatch(n -> n.startsWith("segment-"));
      assertThat(files)
          .allSatisfy(f -> assertThat(mode(f)).as(f.toString()).isEqualTo("rw-------"));
    }

    private String mode(Path p) {
      try {
        return java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(p));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  @Nested
  @DisplayName("appends and reads")
  class Basics {
    @Test
    @DisplayName("assigns dense sequences from 1 and replays every record in order")
    void sequences() {
      try (FileJournal j = open()) {
        for (int i = 0; i < 5; i++) {
          JournalRecord r = j.append(state(i % 2 == 0 ? "r-a" : "r-b", i));
          assertThat(r.sequence()).isEqualTo(i + 1);
        }
        assertThat(all(j)).extracting(JournalRecord::sequence).containsExactly(1L, 2L, 3L, 4L, 5L);
        List<JournalRecord> from4 = new ArrayList<>();
        j.replay(4, from4::add);
        assertThat(from4).extracting(JournalRecord::sequence).containsExactly(4L, 5L);
        assertThat(j.records("r-b")).extracting(JournalRecord::sequence).containsExactly(2L, 4L);
        assertThat(j.records("nobody")).isEmpty();
        assertThat(j.lastSequence()).isEqualTo(5);
      }
    }

    @Test
    @DisplayName(
        "stores every field verbatim, including unicode, null operation ids and empty payloads")
    void fields() {
      JournalRecord in =
          JournalRecord.of(
              T0.plusNanos(123_456_789),
              "r-ü",
              "cafe-☕",
              JournalRecord.Type.INTENT,
              "r-ü/s3/route",
              "{\"weights\":{\"v2\":2500}}");
      JournalRecord noOp =
          JournalRecord.of(T0, "r-ü", "cafe-☕", JournalRecord.Type.COMMAND, null, "{}");
      try (FileJournal j = open()) {
        j.append(in);
        j.append(noOp);
      }
      try (FileJournal j = open()) {
        assertThat(all(j)).containsExactly(in.withSequence(1), noOp.withSequence(2));
      }
    }

    @Test
    @DisplayName("refuses a record over 16 MiB with a typed error and appends nothing")
    void tooLarge() {
      try (FileJournal j = open()) {
        String huge = "x".repeat(FileJournal.MAX_RECORD_BYTES);
        assertThatThrownBy(
                () -> j.append(JournalFiles.record("r-a", JournalRecord.Type.STATE, huge)))
            .isInstanceOf(InvalidSpecException.class)
            .hasMessageContaining("record.payload")
            .hasMessageContaining("over the journal's limit");
        assertThat(all(j)).isEmpty();
        assertThat(j.append(state("r-a", 0)).sequence()).isEqualTo(1);
      }
    }

    @Test
    @DisplayName("fails appends after close with a non-retryable ProviderException")
    void closed() {
      FileJournal j = open();
      j.close();
      j.close();
      assertThatThrownBy(() -> j.append(state("r-a", 0)))
          .isInstanceOfSatisfying(
              ProviderException.class,
              e -> {
                assertThat(e.retryable()).isFalse();
                assertThat(e.provider()).isEqualTo("file");
                assertThat(e.getMessage()).contains("is closed");
              });
      assertThatThrownBy(() -> j.tryLease("checkout", "r-a")).isInstanceOf(ProviderException.class);
    }

    @Test
    @DisplayName(
        "appends racing close all complete: acknowledged ones are kept, the others fail, none hangs")
    void racingClose() throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<CompletableFuture<JournalRecord>> all =
          java.util.Collections.synchronizedList(new ArrayList<>());
      try {
        FileJournal j = open();
        CyclicBarrier start = new CyclicBarrier(9);
        List<Future<?>> writers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          String rollout = "r-" + t;
          writers.add(
              pool.submit(
                  () -> {
                    start.await();
                    for (int i = 0; i < 2000; i++) {
                      all.add(j.appendAsync(state(rollout, i)));
                    }
                    return null;
                  }));
        }
        start.await();
        j.close();
        for (Future<?> w : writers) {
          w.get(30, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      long ok = 0;
      for (CompletableFuture<JournalRecord> f : all) {
        try {
          f.get(30, TimeUnit.SECONDS);
          ok++;
        } catch (java.util.concurrent.ExecutionException e) {
          assertThat(e.getCause())
              .isInstanceOf(ProviderException.class)
              .hasMessageContaining("closed");
        }
      }
      assertThat(all).hasSize(16_000);
      try (FileJournal j = open()) {
        assertThat(all(j)).as("acknowledged appends survive").hasSize((int) ok);
      }
    }

    @Test
    @DisplayName("refuses a blocking append from an appendAsync callback instead of deadlocking")
    void noDeadlock() {
      try (FileJournal j =
          FileJournal.builder(dir)
              .durability(DurabilityMode.OS_BUFFERED)
              .threadFactory(r -> new Thread(r, "test-journal-writer"))
              .open()) {
        // A callback attached before completion runs on the writer thread; one attached after runs
        // here.
        int onWriter = 0;
        for (int i = 0; i < 200 && onWriter < 3; i++) {
          AtomicReference<String> thread = new AtomicReference<>();
          AtomicReference<Throwable> seen = new AtomicReference<>();
          j.appendAsync(state("r-a", i))
              .thenAccept(
                  r -> {
                    thread.set(Thread.currentThread().getName());
                    try {
                      j.append(state("r-b", 0));
                    } catch (RuntimeException e) {
                      seen.set(e);
                    }
                  })
              .join();
          if (thread.get().equals("test-journal-writer")) {
            onWriter++;
            assertThat(seen.get())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("thenApplyAsync");
          } else {
            assertThat(seen.get()).isNull();
          }
        }
        assertThat(onWriter).as("callbacks that ran on the writer thread").isPositive();
        JournalRecord last =
            j.appendAsync(state("r-c", 0))
                .thenComposeAsync(r -> j.appendAsync(state("r-c", 1)))
                .join();
        assertThat(j.records("r-c")).hasSize(2).last().isEqualTo(last);
      }
    }
  }

  @Nested
  @DisplayName("reopening")
  class Reopen {
    @Test
    @DisplayName("keeps records, continues sequences, and keeps the hash chain head")
    void keeps() {
      String head;
      try (FileJournal j = open()) {
        j.append(state("r-a", 0));
        j.append(state("r-a", 1));
        head = j.headHash();
        assertThat(head).matches("sha256:[0-9a-f]{64}");
      }
      try (FileJournal j = open()) {
        assertThat(j.headHash()).isEqualTo(head);
        assertThat(all(j)).hasSize(2);
        assertThat(j.append(state("r-a", 2)).sequence()).isEqualTo(3);
        assertThat(j.headHash()).isNotEqualTo(head);
      }
      try (FileJournal j = open()) {
        assertThat(all(j)).extracting(JournalRecord::sequence).containsExactly(1L, 2L, 3L);
      }
    }

    @Test
    @DisplayName("keeps leases: granted ones stay held, released ones stay free")
    void leases() {
      try (FileJournal j = open()) {
        assertThat(j.tryLease("checkout", "r-1")).isTrue();
        assertThat(j.tryLease("checkout", "r-1")).isTrue();
        assertThat(j.tryLease("checkout", "r-2")).isFalse();
        assertThat(j.tryLease("search", "r-3")).isTrue();
        j.releaseLease("search", "r-other");
        assertThat(j.leaseHolder("search")).contains("r-3");
        j.releaseLease("search", "r-3");
        assertThat(j.leaseHolder("search")).isEmpty();
      }
      try (FileJournal j = open()) {
        assertThat(j.leaseHolder("checkout")).contains("r-1");
        assertThat(j.leaseHolder("search")).isEmpty();
        assertThat(j.tryLease("checkout", "r-2")).isFalse();
        assertThat(j.tryLease("search", "r-4")).isTrue();
      }
    }

    @Test
    @DisplayName("reads a journal that spans many segments and verifies the chain across them")
    void segmentsChain() {
      writeInSmallSegments(300, 7);
      assertThat(segments(dir)).hasSizeGreaterThan(5);
      try (FileJournal j = open()) {
        assertThat(all(j))
            .extracting(JournalRecord::sequence)
            .containsExactlyElementsOf(LongStream.rangeClosed(1, 300).boxed().toList());
      }
    }
  }

  @Nested
  @DisplayName("torn writes")
  class Torn {
    @Test
    @DisplayName("truncating the last record at every byte offset recovers every complete record")
    void everyOffset() throws IOException {
      Path golden = root.resolve("golden");
      try (FileJournal j =
          FileJournal.builder(golden).durability(DurabilityMode.OS_BUFFERED).open()) {
        for (int i = 0; i < 4; i++) {
          j.append(state("r-a", i));
        }
        j.append(
            JournalRecord.of(
                T0, "r-a", "checkout", JournalRecord.Type.DONE, "r-a/s1/launch", "{}"));
      }
      Path seg = onlySegment(golden);
      byte[] original = Files.readAllBytes(seg);
      List<Long> offsets = entryOffsets(seg);
      long lastStart = offsets.get(offsets.size() - 1);
      for (long cut = lastStart; cut < original.length; cut++) {
        Files.write(seg, java.util.Arrays.copyOf(original, (int) cut));
        try (FileJournal j =
            FileJournal.builder(golden).durability(DurabilityMode.OS_BUFFERED).open()) {
          assertThat(all(j))
              .as("cut at %d", cut)
              .extracting(JournalRecord::sequence)
              .containsExactly(1L, 2L, 3L, 4L);
          assertThat(j.append(state("r-a", 9)).sequence()).isEqualTo(5);
        }
        if (cut == lastStart || cut == original.length - 1 || cut == lastStart + 41) {
          try (FileJournal j =
              FileJournal.builder(golden).durability(DurabilityMode.OS_BUFFERED).open()) {
            assertThat(all(j)).as("reopened after cut at %d", cut).hasSize(5);
          }
        }
      }
    }

    @Test
    @DisplayName("a tail of zeros (size extended, data never written) is torn, not corrupt")
    void zeros() throws IOException {
      try (FileJournal j = open()) {
        j.append(state("r-a", 0));
        j.append(state("r-a", 1));
      }
      Files.write(onlySegment(dir), new byte[300], java.nio.file.StandardOpenOption.APPEND);
      try (FileJournal j = open()) {
        assertThat(all(j)).hasSize(2);
      }
    }

    @Test
    @DisplayName("a segment whose header was being written when the process died is recreated")
    void tornHeader() throws IOException {
      writeInSmallSegments(60, 1);
      List<Path> segs = segments(dir);
      Path last = segs.get(segs.size() - 1);
      long records;
      try (FileJournal j = open()) {
        records = all(j).size();
      }
      // Drop the newest segment's records, then fake a crash in the middle of creating it.
      Files.delete(last);
      Files.write(last, new byte[10]);
      long kept;
      try (FileJournal j = open()) {
        kept = all(j).size();
        assertThat(kept).isLessThan(records).isPositive();
        assertThat(j.append(state("r-a", 99)).sequence()).isEqualTo(kept + 1);
      }
      try (FileJournal j = open()) {
        assertThat(all(j)).hasSize((int) kept + 1);
      }
    }
  }

  @Nested
  @DisplayName("corruption")
  class Corruption {
    @Test
    @DisplayName(
        "a flipped byte anywhere in a middle record is detected, naming the file and the record's offset")
    void flippedByte() throws IOException {
      Path golden = root.resolve("golden");
      try (FileJournal j =
          FileJournal.builder(golden).durability(DurabilityMode.OS_BUFFERED).open()) {
        for (int i = 0; i < 6; i++) {
          j.append(state("r-a", i));
        }
      }
      Path seg = onlySegment(golden);
      List<Long> offsets = entryOffsets(seg);
      long start = offsets.get(2);
      long end = offsets.get(3);
      byte[] original = Files.readAllBytes(seg);
      for (long at = start; at < end; at++) {
        JournalFiles.flip(seg, at);
        long flipped = at;
        assertThatThrownBy(() -> FileJournal.builder(golden).open())
            .as("flip at %d", at)
            .isInstanceOfSatisfying(
                JournalCorruptedException.class,
                e -> {
                  assertThat(e.file().getFileName()).isEqualTo(seg.getFileName());
                  assertThat(e.file().getParent()).isEqualTo(realPath(golden));
                  assertThat(e.offset()).as("offset for flip at %d", flipped).isEqualTo(start);
                  assertThat(e.getMessage())
                      .contains(seg.getFileName().toString())
                      .contains("offset " + start)
                      .contains("Fix:");
                });
        byte[] flippedBytes = original.clone();
        flippedBytes[(int) at] ^= 0x01;
        assertThat(Files.readAllBytes(seg))
            .as("a refused journal is left as it was")
            .isEqualTo(flippedBytes);
        JournalFiles.flip(seg, at);
      }
      // A refused directory is not left locked: once repaired, the same process opens it.
      try (FileJournal j =
          FileJournal.builder(golden).durability(DurabilityMode.OS_BUFFERED).open()) {
        assertThat(all(j)).hasSize(6);
      }
    }

    @Test
    @DisplayName(
        "in a file larger than the read window, damage far in is found at its exact offset")
    void largeFile() throws IOException {
      String payload = "{\"blob\":\"" + "y".repeat(3000) + "\"}";
      try (FileJournal j = open()) {
        List<CompletableFuture<JournalRecord>> fs = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
          fs.add(
              j.appendAsync(
                  JournalFiles.record("r-" + (i % 5), JournalRecord.Type.STATE, payload)));
        }
        CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).join();
      }
      Path seg = onlySegment(dir);
      assertThat(Files.size(seg)).isGreaterThan(8L << 20);
      try (FileJournal j = open()) {
        assertThat(all(j)).hasSize(3000);
      }
      List<Long> offsets = entryOffsets(seg);
      long target = offsets.stream().filter(o -> o > (6L << 20)).findFirst().orElseThrow();
      JournalFiles.flip(seg, target + 100);
      assertThatThrownBy(this::reopen)
          .isInstanceOfSatisfying(
              JournalCorruptedException.class, e -> assertThat(e.offset()).isEqualTo(target));
      JournalFiles.flip(seg, target + 100);
      long last = offsets.get(offsets.size() - 1);
      JournalFiles.truncate(seg, last + 77);
      try (FileJournal j = open()) {
        assertThat(all(j)).hasSize(2999);
      }
    }

    @Test
    @DisplayName(
        "a record larger than the read window, between smaller ones, reads back; damage after it"
            + " is found, in a segment and in the snapshot")
    void entryLargerThanTheWindow() throws IOException {
      String big = "{\"blob\":\"" + "z".repeat(3 << 20) + "\"}";
      String small = "{\"blob\":\"" + "é".repeat(500) + "\"}";
      List<JournalRecord> written = new ArrayList<>();
      try (FileJournal j = open()) {
        for (int i = 0; i < 400; i++) {
          String payload = i == 150 ? big : i % 2 == 0 ? small : "{\"kind\":\"launch\"}";
          written.add(
              j.append(JournalFiles.record("r-" + (i % 7), JournalRecord.Type.STATE, payload)));
        }
      }
      Path seg = onlySegment(dir);
      try (FileJournal j = open()) {
        assertThat(all(j)).isEqualTo(written);
      }
      List<Long> offsets = entryOffsets(seg);
      long target = offsets.get(300);
      JournalFiles.flip(seg, target + 45);
      assertThatThrownBy(this::reopen)
          .isInstanceOfSatisfying(
              JournalCorruptedException.class, e -> assertThat(e.offset()).isEqualTo(target));
      JournalFiles.flip(seg, target + 45);

      try (FileJournal j = open()) {
        j.compact();
        assertThat(all(j)).isEqualTo(written);
      }
      try (FileJournal j = open()) {
        assertThat(all(j)).as("read back from the snapshot").isEqualTo(written);
        assertThat(j.records("r-3")).hasSize(57);
      }
      Path snapshot = dir.resolve("snapshot.dat");
      long size = Files.size(snapshot);
      JournalFiles.flip(snapshot, size - 2000);
      assertThatThrownBy(this::reopen)
          .isInstanceOfSatisfying(
              JournalCorruptedException.class,
              e -> assertThat(e.file().getFileName().toString()).isEqualTo("snapshot.dat"));
    }

    @Test
    @DisplayName("an edited record with a recomputed CRC breaks the hash chain at the next record")
    void tamperedWithValidCrc() throws IOException {
      try (FileJournal j = open()) {
        j.append(JournalFiles.record("r-a", JournalRecord.Type.VERDICT, "{\"outcome\":\"FAIL\"}"));
        j.append(state("r-a", 1));
        j.append(state("r-a", 2));
      }
      Path seg = onlySegment(dir);
      List<Long> offsets = entryOffsets(seg);
      byte[] bytes = Files.readAllBytes(seg);
      String s = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
      int at = s.indexOf("FAIL");
      bytes[at] = 'P';
      bytes[at + 1] = 'A';
      bytes[at + 2] = 'S';
      bytes[at + 3] = 'S';
      recomputeCrc(bytes, offsets.get(0).intValue());
      Files.write(seg, bytes);
      assertThatThrownBy(this::reopen)
          .isInstanceOfSatisfying(
              JournalCorruptedException.class,
              e -> {
                assertThat(e.offset()).isEqualTo(offsets.get(1));
                assertThat(e.problem()).contains("hash chain broken");
              });
    }

    @Test
    @DisplayName("a record cut out of the middle is detected")
    void removedRecord() throws IOException {
      try (FileJournal j = open()) {
        for (int i = 0; i < 4; i++) {
          j.append(state("r-a", i));
        }
      }
      Path seg = onlySegment(dir);
      List<Long> offsets = entryOffsets(seg);
      byte[] bytes = Files.readAllBytes(seg);
      byte[] without = new byte[bytes.length - (int) (offsets.get(2) - offsets.get(1))];
      System.arraycopy(bytes, 0, without, 0, offsets.get(1).intValue());
      System.arraycopy(
          bytes,
          offsets.get(2).intValue(),
          without,
          offsets.get(1).intValue(),
          bytes.length - offsets.get(2).intValue());
      Files.write(seg, without);
      assertThatThrownBy(this::reopen)
          .isInstanceOfSatisfying(
              JournalCorruptedException.class,
              e -> assertThat(e.offset()).isEqualTo(offsets.get(1)));
    }

    @Test
    @DisplayName(
        "damage in a sealed segment is corruption even in its last record, and a missing segment is reported")
    void sealedAndMissing() throws IOException {
      writeInSmallSegments(120, 1);
      List<Path> segs = segments(dir);
      assertThat(segs).hasSizeGreaterThanOrEqualTo(3);
      Path sealed = segs.get(0);
      List<Long> offsets = entryOffsets(sealed);
      byte[] original = Files.readAllBytes(sealed);
      JournalFiles.truncate(sealed, Files.size(sealed) - 3);
      assertThatThrownBy(this::reopen)
          .isInstanceOfSatisfying(
              JournalCorruptedException.class,
              e -> {
                assertThat(e.file().getFileName()).isEqualTo(sealed.getFileName());
                assertThat(e.offset()).isEqualTo(offsets.get(offsets.size() - 1));
              });
      Files.write(sealed, original);
      Files.delete(segs.get(1));
      assertThatThrownBy(this::reopen)
          .isInstanceOfSatisfying(
              JournalCorruptedException.class,
              e -> {
                assertThat(e.file().getFileName()).isEqualTo(segs.get(1).getFileName());
                assertThat(e.problem()).contains("is missing");
              });
    }

    @Test
    @DisplayName("a damaged snapshot refuses to open")
    void snapshot() throws IOException {
      try (FileJournal j = open()) {
        j.append(created("r-open", "checkout", T0));
        j.compact();
      }
      Path snap = dir.resolve("snapshot.dat");
      JournalFiles.flip(snap, Files.size(snap) - 50);
      assertThatThrownBy(this::reopen)
          .isInstanceOfSatisfying(
              JournalCorruptedException.class,
              e -> assertThat(e.file().getFileName().toString()).isEqualTo("snapshot.dat"));
    }

    @Test
    @DisplayName(
        "a flipped byte in the very last record counts as a torn write: it is truncated, the rest kept")
    void lastRecord() throws IOException {
      try (FileJournal j = open()) {
        for (int i = 0; i < 3; i++) {
          j.append(state("r-a", i));
        }
      }
      Path seg = onlySegment(dir);
      JournalFiles.flip(seg, Files.size(seg) - 5);
      try (FileJournal j = open()) {
        assertThat(all(j)).extracting(JournalRecord::sequence).containsExactly(1L, 2L);
      }
    }

    private void reopen() {
      open().close();
    }

    private void recomputeCrc(byte[] bytes, int entry) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      int len = b.getInt(entry);
      CRC32C crc = new CRC32C();
      crc.update(bytes, entry, 4);
      crc.update(bytes, entry + 8, 32 + len);
      b.putInt(entry + 4, (int) crc.getValue());
    }
  }

  @Nested
  @DisplayName("the directory lock")
  class Lock {
    @Test
    @DisplayName("a second FileJournal in the same JVM is refused until the first closes")
    void sameJvm() {
      FileJournal first = open();
      try {
        first.append(state("r-a", 0));
        assertThatThrownBy(FileJournalTest.this::open)
            .isInstanceOfSatisfying(
                JournalLockedException.class,
                e -> {
                  assertThat(e.holder()).isEqualTo("another FileJournal in this JVM");
                  assertThat(e.getMessage())
                      .contains(dir.getFileName().toString())
                      .contains("Fix:");
                });
        // The refused attempt must not have released the first journal's lock.
        assertThatThrownBy(FileJournalTest.this::open).isInstanceOf(JournalLockedException.class);
        first.append(state("r-a", 1));
      } finally {
        first.close();
      }
      try (FileJournal again = open()) {
        assertThat(all(again)).hasSize(2);
      }
    }

    @Test
    @DisplayName("another process holding the directory is refused, naming its pid")
    void otherProcess() throws Exception {
      Process child =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  LockHolderMain.class.getName(),
                  dir.toString())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      try {
        String line =
            new java.io.BufferedReader(
                    new java.io.InputStreamReader(
                        child.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))
                .readLine();
        assertThat(line).isEqualTo("locked");
        assertThatThrownBy(FileJournalTest.this::open)
            .isInstanceOfSatisfying(
                JournalLockedException.class,
                e -> assertThat(e.holder()).isEqualTo("pid " + child.pid()));
      } finally {
        child.getOutputStream().close();
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
      }
      try (FileJournal j = open()) {
        assertThat(all(j)).hasSize(1);
      }
    }
  }

  @Nested
  @DisplayName("group commit")
  class GroupCommit {
    @Test
    @DisplayName(
        "concurrent durable appenders get unique dense sequences, their own order, and share fsyncs")
    void concurrent() throws Exception {
      int threads = 16;
      int each = 40;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try (FileJournal j = FileJournal.open(dir)) {
        assertThat(j.durability()).isEqualTo(DurabilityMode.FSYNC);
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Future<List<Long>>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          String rollout = "r-" + t;
          futures.add(
              pool.submit(
                  () -> {
                    start.await();
                    List<Long> seqs = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                      seqs.add(j.append(state(rollout, i)).sequence());
                    }
                    return seqs;
                  }));
        }
        List<Long> seen = new ArrayList<>();
        for (Future<List<Long>> f : futures) {
          List<Long> mine = f.get(60, TimeUnit.SECONDS);
          assertThat(mine).isSorted();
          seen.addAll(mine);
        }
        assertThat(seen).hasSize(threads * each).doesNotHaveDuplicates();
        assertThat(seen).allMatch(s -> s >= 1 && s <= threads * each);
        assertThat(j.commits())
            .as("fsyncs for %d appends", threads * each)
            .isLessThan(threads * each);
        for (int t = 0; t < threads; t++) {
          assertThat(j.records("r-" + t))
              .extracting(r -> r.payload())
              .containsExactlyElementsOf(
                  LongStream.range(0, each).mapToObj(i -> state("x", (int) i).payload()).toList());
        }
      } finally {
        pool.shutdownNow();
      }
      try (FileJournal j = open()) {
        assertThat(all(j)).hasSize(threads * each);
      }
    }

    @Test
    @DisplayName("appendAsync keeps many appends in flight and completes them in order")
    void async() {
      try (FileJournal j = open()) {
        List<CompletableFuture<JournalRecord>> fs = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
          fs.add(j.appendAsync(state("r-a", i)));
        }
        CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).join();
        for (int i = 0; i < fs.size(); i++) {
          assertThat(fs.get(i).join().sequence()).isEqualTo(i + 1);
        }
        assertThat(j.commits()).isLessThan(500);
      }
    }
  }

  @Nested
  @DisplayName("compaction")
  class Compaction {
    @Test
    @DisplayName(
        "summarises ended rollouts into history and keeps every record of open ones, across reopen")
    void keepsOpenAndHistory() {
      Instant0 t = new Instant0();
      try (FileJournal j = open()) {
        j.append(created("r-done", "checkout", t.at(0)));
        j.append(state("r-open", 0));
        j.append(JournalFiles.record("r-done", JournalRecord.Type.INTENT, "{\"kind\":\"launch\"}"));
        j.append(created("r-open", "checkout", t.at(1)));
        j.append(ended("r-done", "checkout", t.at(5), true));
        j.append(created("r-bad", "search", t.at(6)));
        j.append(ended("r-bad", "search", t.at(9), false));
        assertThat(j.tryLease("checkout", "r-open")).isTrue();
        List<Path> before = segments(dir);
        j.compact();
        assertThat(segments(dir)).doesNotContainAnyElementsOf(before);
        // each service's latest ended rollout stays (a restarted engine learns its stable release
        // from it)
        assertThat(all(j))
            .extracting(JournalRecord::rolloutId)
            .containsOnly("r-open", "r-done", "r-bad");
        assertThat(j.records("r-open")).extracting(JournalRecord::sequence).containsExactly(2L, 4L);
        assertThat(j.append(state("r-open", 1)).sequence()).isEqualTo(8);
      }
      try (FileJournal j = open()) {
        assertThat(j.records("r-open"))
            .extracting(JournalRecord::sequence)
            .containsExactly(2L, 4L, 8L);
        assertThat(j.leaseHolder("checkout")).contains("r-open");
        List<RolloutSummary> h = j.history("checkout");
        assertThat(h).hasSize(1);
        RolloutSummary s = h.get(0);
        assertThat(s.rolloutId()).isEqualTo("r-done");
        assertThat(s.strategy()).isEqualTo("canary");
        assertThat(s.target()).isEqualTo("checkout-v2");
        assertThat(s.stable()).isEqualTo("checkout-v1");
        assertThat(s.artifact()).isEqualTo("registry/checkout@sha256:" + "ab".repeat(32));
        assertThat(s.config()).isEqualTo("sha256:" + "cd".repeat(32));
        assertThat(s.initiator()).isEqualTo("alice");
        assertThat(s.annotations()).containsEntry("ticket", "OPS-7");
        assertThat(s.created()).isEqualTo(t.at(0));
        assertThat(s.ended()).isEqualTo(t.at(5));
        assertThat(s.succeeded()).isTrue();
        assertThat(s.firstSequence()).isEqualTo(1);
        assertThat(s.lastSequence()).isEqualTo(5);
        assertThat(s.records()).isEqualTo(3);
        RolloutSummary bad = j.history("search").get(0);
        assertThat(bad.outcome()).isEqualTo("aborted");
        assertThat(bad.reason()).isEqualTo("gate errors failed");
        // The open rollout ends later; it is in history before and after the next compaction.
        j.append(ended("r-open", "checkout", t.at(20), true));
        assertThat(j.history("checkout"))
            .extracting(RolloutSummary::rolloutId)
            .containsExactly("r-done", "r-open");
        j.compact();
        // r-open is now checkout's latest ended rollout, so r-done went to history
        assertThat(all(j)).extracting(JournalRecord::rolloutId).containsOnly("r-open", "r-bad");
        assertThat(j.history("checkout"))
            .extracting(RolloutSummary::rolloutId)
            .containsExactly("r-done", "r-open");
        assertThat(j.history("checkout").get(1).records()).isEqualTo(4);
        assertThat(j.append(state("r-next", 0)).sequence()).isEqualTo(10);
      }
      try (FileJournal j = open()) {
        assertThat(j.history("checkout")).hasSize(2);
        assertThat(j.history("search")).hasSize(1);
        assertThat(j.records("r-next")).extracting(JournalRecord::sequence).containsExactly(10L);
        assertThat(all(j))
            .extracting(JournalRecord::rolloutId)
            .containsOnly("r-open", "r-bad", "r-next");
      }
    }

    @Test
    @DisplayName(
        "keeps each service's latest ended and latest succeeded rollout, so replay still tells its stable release")
    void keepsLatestEndedPerService() {
      try (FileJournal j = open()) {
        j.append(created("r-1", "checkout", T0));
        j.append(ended("r-1", "checkout", T0.plusSeconds(1), true));
        j.append(created("r-2", "checkout", T0.plusSeconds(2)));
        j.append(ended("r-2", "checkout", T0.plusSeconds(3), true));
        j.append(created("r-3", "checkout", T0.plusSeconds(4)));
        j.append(ended("r-3", "checkout", T0.plusSeconds(5), false));
        j.append(created("s-1", "search", T0.plusSeconds(6)));
        j.append(ended("s-1", "search", T0.plusSeconds(7), false));
        j.compact();
      }
      try (FileJournal j = open()) {
        assertThat(all(j))
            .extracting(JournalRecord::rolloutId)
            .containsExactly("r-2", "r-2", "r-3", "r-3", "s-1", "s-1");
        assertThat(j.history("checkout"))
            .extracting(RolloutSummary::rolloutId)
            .containsExactly("r-1", "r-2", "r-3");
        j.append(created("r-4", "checkout", T0.plusSeconds(8)));
        j.append(ended("r-4", "checkout", T0.plusSeconds(9), true));
        j.compact();
        assertThat(all(j))
            .extracting(JournalRecord::rolloutId)
            .containsExactly("s-1", "s-1", "r-4", "r-4");
        assertThat(j.history("checkout"))
            .extracting(RolloutSummary::rolloutId)
            .containsExactly("r-1", "r-2", "r-3", "r-4");
      }
    }

    @Test
    @DisplayName("runs in the background as segments roll, keeping open rollouts and all history")
    void background() {
      int rollouts = 0;
      try (FileJournal j =
          FileJournal.builder(dir)
              .durability(DurabilityMode.OS_BUFFERED)
              .segmentSize(4096)
              .compactAfterSegments(2)
              .open()) {
        j.append(created("r-keep", "checkout", T0));
        // Keep rollouts coming until the background compaction has committed a snapshot, then some
        // more.
        int extra = 50;
        while (extra > 0 && rollouts < 100_000) {
          String id = "r-" + rollouts;
          j.append(created(id, "checkout", T0.plusSeconds(rollouts)));
          j.append(state(id, 0));
          j.append(ended(id, "checkout", T0.plusSeconds(rollouts + 1), rollouts % 3 != 0));
          rollouts++;
          if (Files.exists(dir.resolve("snapshot.dat"))) {
            extra--;
          }
        }
        assertThat(rollouts).isLessThan(100_000);
      }
      assertThat(segments(dir))
          .extracting(p -> p.getFileName().toString())
          .doesNotContain("segment-00000000000000000001.log");
      try (FileJournal j = open()) {
        assertThat(j.records("r-keep")).hasSize(1);
        List<RolloutSummary> h = j.history("checkout");
        assertThat(h)
            .extracting(RolloutSummary::rolloutId)
            .containsExactlyElementsOf(
                LongStream.range(0, rollouts).mapToObj(i -> "r-" + i).toList());
        assertThat(h.stream().filter(RolloutSummary::succeeded).count())
            .isEqualTo(rollouts - (rollouts + 2) / 3);
        assertThat(j.append(state("r-keep", 1)).sequence()).isEqualTo(3L * rollouts + 2);
      }
    }

    @Test
    @DisplayName("waits until the sealed segments outweigh the snapshot before compacting again")
    void amplification() {
      try (FileJournal j =
          FileJournal.builder(dir)
              .durability(DurabilityMode.OS_BUFFERED)
              .segmentSize(4096)
              .compactAfterSegments(2)
              .open()) {
        for (int i = 0; i < 150; i++) {
          j.append(created("r-open-" + i, "checkout", T0));
        }
        j.compact();
        long snapshot = realSize(dir.resolve("snapshot.dat"));
        assertThat(snapshot).isGreaterThan(5 * 4096);
        List<Path> live = segments(dir);
        // About three segments of ended rollouts: fewer sealed bytes than the snapshot holds.
        for (int i = 0; i < 24; i++) {
          j.append(created("r-" + i, "search", T0));
          j.append(ended("r-" + i, "search", T0, true));
        }
        assertThat(segments(dir).size() - live.size()).isBetween(2, 4);
        assertThat(segments(dir)).containsAll(live);
        assertThat(realSize(dir.resolve("snapshot.dat"))).isEqualTo(snapshot);
      }
    }

    @Test
    @DisplayName(
        "a background compaction queued before a compact() call re-checks the rule when it runs")
    void lateBackgroundCompaction() throws InterruptedException {
      // The compaction thread is the second one the factory makes (the writer is the first): it
      // is held until the caller's compact() and the new appends are done, which is the
      // interleaving that used to compact three small segments against a large snapshot.
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger made = new AtomicInteger();
      ThreadFactory gated =
          r -> {
            Runnable body =
                made.incrementAndGet() == 1
                    ? r
                    : () -> {
                      try {
                        release.await();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                      }
                      r.run();
                    };
            Thread t = new Thread(body, "journal-test-" + made.get());
            t.setDaemon(true);
            return t;
          };
      try (FileJournal j =
          FileJournal.builder(dir)
              .durability(DurabilityMode.OS_BUFFERED)
              .segmentSize(4096)
              .compactAfterSegments(2)
              .threadFactory(gated)
              .open()) {
        for (int i = 0; i < 150; i++) {
          j.append(created("r-open-" + i, "checkout", T0));
        }
        assertThat(j.backgroundCompactionQueued()).isTrue();
        j.compact();
        long snapshot = realSize(dir.resolve("snapshot.dat"));
        List<Path> live = segments(dir);
        for (int i = 0; i < 24; i++) {
          j.append(created("r-" + i, "search", T0));
          j.append(ended("r-" + i, "search", T0, true));
        }
        assertThat(segments(dir).size() - live.size()).isBetween(2, 4);
        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (j.backgroundCompactionQueued() && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        assertThat(j.backgroundCompactionQueued()).isFalse();
        assertThat(segments(dir)).containsAll(live);
        assertThat(realSize(dir.resolve("snapshot.dat"))).isEqualTo(snapshot);
      }
    }

    @Test
    @DisplayName(
        "recovers from a compaction that crashed before or after its snapshot was committed")
    void crashedCompaction() throws IOException {
      try (FileJournal j = open()) {
        j.append(created("r-0", "checkout", T0));
        j.append(ended("r-0", "checkout", T0, true));
        j.append(created("r-1", "checkout", T0));
        j.append(ended("r-1", "checkout", T0.plusSeconds(1), true));
        j.compact();
        j.append(created("r-2", "checkout", T0.plusSeconds(2)));
        j.append(ended("r-2", "checkout", T0.plusSeconds(3), true));
        j.append(created("r-3", "checkout", T0.plusSeconds(4)));
      }
      Path saved = root.resolve("saved");
      JournalFiles.copyDir(dir, saved);
      long historyBefore = Files.size(dir.resolve("history.dat"));
      try (FileJournal j = open()) {
        j.compact();
      }
      // After the commit point: the covered segments are still there.
      for (Path p : segments(saved)) {
        if (!Files.exists(dir.resolve(p.getFileName()))) {
          Files.copy(p, dir.resolve(p.getFileName()));
        }
      }
      Files.write(dir.resolve("snapshot.dat.tmp"), new byte[] {1, 2, 3});
      try (FileJournal j = open()) {
        assertThat(all(j))
            .extracting(JournalRecord::rolloutId)
            .containsExactly("r-2", "r-2", "r-3");
        assertThat(j.history("checkout"))
            .extracting(RolloutSummary::rolloutId)
            .containsExactly("r-0", "r-1", "r-2");
      }
      assertThat(dir.resolve("snapshot.dat.tmp")).doesNotExist();
      // Before the commit point: history was appended, the snapshot was not replaced.
      Path before = root.resolve("before");
      JournalFiles.copyDir(saved, before);
      Files.copy(
          dir.resolve("history.dat"),
          before.resolve("history.dat"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      assertThat(Files.size(before.resolve("history.dat"))).isGreaterThan(historyBefore);
      try (FileJournal j =
          FileJournal.builder(before).durability(DurabilityMode.OS_BUFFERED).open()) {
        assertThat(Files.size(before.resolve("history.dat"))).isEqualTo(historyBefore);
        assertThat(j.history("checkout"))
            .extracting(RolloutSummary::rolloutId)
            .containsExactly("r-0", "r-1", "r-2");
        assertThat(all(j))
            .extracting(JournalRecord::rolloutId)
            .containsExactly("r-1", "r-1", "r-2", "r-2", "r-3");
        j.compact();
        assertThat(j.history("checkout"))
            .extracting(RolloutSummary::rolloutId)
            .containsExactly("r-0", "r-1", "r-2");
      }
    }

    @Test
    @DisplayName("history queries racing compactions see every ended rollout exactly once")
    void historyDuringCompaction() throws Exception {
      int rollouts = 120;
      try (FileJournal j = open()) {
        CompletableFuture<Void> writer =
            CompletableFuture.runAsync(
                () -> {
                  for (int i = 0; i < rollouts; i++) {
                    j.append(created("r-" + i, "checkout", T0.plusSeconds(i)));
                    j.append(ended("r-" + i, "checkout", T0.plusSeconds(i), true));
                    if (i % 10 == 9) {
                      j.compact();
                    }
                  }
                });
        int queries = 0;
        while (!writer.isDone() || queries == 0) {
          List<String> ids = j.history("checkout").stream().map(RolloutSummary::rolloutId).toList();
          assertThat(ids)
              .as("query %d", queries)
              .containsExactlyElementsOf(
                  LongStream.range(0, ids.size()).mapToObj(i -> "r-" + i).toList());
          queries++;
        }
        writer.get(60, TimeUnit.SECONDS);
        assertThat(j.history("checkout")).hasSize(rollouts);
      }
    }

    @Test
    @DisplayName("a damaged history file is reported by the history query, not skipped")
    void historyCorruption() throws IOException {
      try (FileJournal j = open()) {
        j.append(created("r-1", "checkout", T0));
        j.append(ended("r-1", "checkout", T0.plusSeconds(1), true));
        j.append(created("r-2", "checkout", T0.plusSeconds(2)));
        j.append(ended("r-2", "checkout", T0.plusSeconds(3), true));
        j.compact();
        Path history = dir.resolve("history.dat");
        JournalFiles.flip(history, 100);
        assertThatThrownBy(() -> j.history("checkout"))
            .isInstanceOfSatisfying(
                JournalCorruptedException.class,
                e -> assertThat(e.file().getFileName().toString()).isEqualTo("history.dat"));
      }
    }
  }

  private static long realSize(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Path realPath(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Distinct instants for readable tests. */
  private static final class Instant0 {
    java.time.Instant at(int minutes) {
      return T0.plus(Duration.ofMinutes(minutes));
    }
  }
}
