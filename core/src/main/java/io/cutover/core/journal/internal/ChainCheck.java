// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal.internal;

import io.cutover.core.journal.JournalCorruptedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * The hash-chain links of what a recovery read, checked off the reading thread. {@link FrameReader}
 * checks lengths and CRCs as it reads and hands the entries out at once; it submits each read
 * window here with the hash its first entry must link to, and helper threads hash the window's
 * entries and compare the links while the journal is being opened and replayed.
 *
 * <p>Why this is safe: a CRC-intact entry whose link is broken is never a crash, only an edit, so
 * what is deferred is tamper evidence, not crash recovery. The journal's writer waits for {@link
 * #result()} before it writes anything, so no record is appended, no lease granted and no
 * compaction rewrites the files (and so, by the write-ahead rule, no effect is issued) on top of a
 * chain that has not verified; a broken link fails the journal permanently, naming the file and
 * offset, exactly as the synchronous check reports it. Windows are kept in memory until they are
 * hashed.
 */
public final class ChainCheck {
  private record Located(Path file, long offset, String problem) {}

  private final ExecutorService helpers;
  private final List<CompletableFuture<@Nullable Located>> windows = new ArrayList<>();
  private boolean sealed;

  /** Hashes on {@code helpers}, which {@link #seal()} shuts down once everything is submitted. */
  public ChainCheck(ExecutorService helpers) {
    this.helpers = helpers;
  }

  /**
   * Checks, in the background, that {@code count} entries starting at {@code offsets} in {@code
   * win} (the file's bytes from {@code base}) each link to the one before, the first to {@code
   * prev}. {@code win} and {@code offsets} must not be modified afterwards.
   */
  void submit(Path file, long base, byte[] win, int[] offsets, int count, byte[] prev) {
    if (sealed) {
      throw new IllegalStateException("chain check already sealed");
    }
    windows.add(
        CompletableFuture.supplyAsync(
            () -> {
              FrameReader.Failure f = FrameReader.links(win, base, offsets, count, prev);
              return f == null ? null : new Located(file, f.offset(), f.problem());
            },
            helpers));
  }

  /** No more windows: lets the helpers end once they are done. */
  public void seal() {
    sealed = true;
    helpers.shutdown();
  }

  /**
   * Completes when every submitted window is checked; fails with the {@link
   * JournalCorruptedException} of the first broken link in reading order (files in the order they
   * were read, offsets ascending), the same one a synchronous read reports.
   */
  public CompletableFuture<Void> result() {
    List<CompletableFuture<@Nullable Located>> all = List.copyOf(windows);
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenRun(
            () -> {
              for (CompletableFuture<@Nullable Located> w : all) {
                Located l = w.join();
                if (l != null) {
                  throw new JournalCorruptedException(l.file(), l.offset(), l.problem());
                }
              }
            });
  }
}
