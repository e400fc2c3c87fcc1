// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11, items 9 and 14: how an instance record reaches the disk. */
class InstanceRecordTest {
  @TempDir Path dir;

  static InstanceRecord record(int restarts) {
    return new InstanceRecord(
        "checkout-1",
        "checkout",
        "checkout-abc",
        "team/app@sha256:" + "a".repeat(64),
        "sha256:" + "b".repeat(64),
        "JAR",
        "/healthz",
        8080,
        4711,
        null,
        "READY",
        restarts,
        "r1/s0/launch",
        null);
  }

  /** Before the fix the record went through {@code instance.json.tmp}, following a planted link. */
  @Test
  @DisplayName("a file or link planted at the old fixed temp name is never written through")
  void plantedTempNameIgnored() throws Exception {
    Path outside = Files.writeString(dir.resolve("outside.txt"), "untouched");
    Path work = Files.createDirectory(dir.resolve("instance"));
    Files.createSymbolicLink(work.resolve("instance.json.tmp"), outside);

    record(0).write(work.resolve("instance.json"));

    assertThat(Files.readString(outside)).isEqualTo("untouched");
    assertThat(InstanceRecord.read(work.resolve("instance.json"))).isEqualTo(record(0));
  }

  /**
   * Before the fix concurrent writers shared {@code instance.json.tmp}: one renamed the other's
   * half-written file or found it gone ({@code NoSuchFileException}).
   */
  @Test
  @DisplayName(
      "concurrent writers each use their own temp file: every write succeeds, the record stays"
          + " whole, no temp file is left, and the record is 0600")
  void concurrentWriters() throws Exception {
    Path file = dir.resolve("instance.json");
    int writers = 4;
    CyclicBarrier start = new CyclicBarrier(writers);
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int id = w;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 200; i++) {
                    record(id * 1000 + i).write(file);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(InstanceRecord.read(file).restarts() % 1000).isEqualTo(199);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files)
          .extracting(p -> p.getFileName().toString())
          .containsExactly("instance.json");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }
}
