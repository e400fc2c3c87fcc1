// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal.internal;

import io.cutover.api.ProviderException;
import io.cutover.spi.JournalRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The only thread that writes segments: appenders enqueue operations, the writer takes everything
 * queued as one batch, frames it into the active segment, flushes it with a single {@code force}
 * (group commit), publishes it to the {@link Index}, and only then completes the callers' futures.
 * A batch is as large as the queue was while the previous flush ran, so the number of flushes per
 * record falls as concurrency rises, without any timer or sleep.
 *
 * <p>Lease decisions are made here too, against the writer's own lease table, so that granting a
 * lease and journaling the grant are one step.
 *
 * <p><b>Failures.</b> An I/O error while writing or forcing makes the journal fail permanently:
 * that batch and every later operation fail with a non-retryable {@link ProviderException}. After a
 * failed {@code fsync} the state of the page cache is unknown, so carrying on could acknowledge
 * lost records. Records of a failed batch may or may not be on disk when the journal is reopened.
 */
public final class Writer {
  private static final int MAX_BATCH = 4096;

  /**
   * Everything compaction needs, captured at a segment boundary.
   *
   * @param records every retained record at the cut
   * @param leases the lease table at the cut
   * @param anchor hash of the last entry before the cut
   * @param nextSequence the sequence after the cut
   * @param firstLiveSegment the first segment after the cut
   */
  public record CutState(
      List<JournalRecord> records,
      Map<String, String> leases,
      byte[] anchor,
      long nextSequence,
      long firstLiveSegment) {}

  private sealed interface Op permits Append, LeaseOp, Cut, Close {
    CompletableFuture<?> done();
  }

  private record Append(JournalRecord record, byte[] body, CompletableFuture<JournalRecord> done)
      implements Op {}

  private record LeaseOp(
      boolean grant, String service, String rolloutId, CompletableFuture<Boolean> done)
      implements Op {}

  private record Cut(CompletableFuture<CutState> done) implements Op {}

  private record Close(CompletableFuture<Void> done) implements Op {}

  private record Done<T>(CompletableFuture<T> future, @Nullable T value) {
    void complete() {
      future.complete(value);
    }
  }

  private record LeaseChange(String service, String rolloutId, boolean granted) {}

  private final Path dir;
  private final boolean fsync;
  private final long segmentSize;
  private final Index index;
  private final LongConsumer onRoll;
  private final LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>();
  private final AtomicBoolean closeRequested = new AtomicBoolean();
  // Set before the Close operation is queued; submitters check it again after queueing (see
  // submit).
  private volatile boolean closed;
  private volatile @Nullable Throwable failure;
  private volatile long firstLiveSegment;
  private volatile byte[] head;
  private volatile long lastSequence;
  private volatile long commits;
  private @Nullable Thread thread;

  // Owned by the writer thread.
  private EntrySink sink;
  private long activeNumber;
  private boolean activeHasEntries;
  private long nextSequence;
  private final Map<String, String> leases;
  private final List<JournalRecord> published = new ArrayList<>();
  private final List<LeaseChange> leaseChanges = new ArrayList<>();
  private final List<Done<?>> dones = new ArrayList<>();

  /**
   * @param recovered the state recovery found, whose active segment this writer continues
   * @param onRoll called on the writer thread after each roll with the number of sealed live
   *     segments
   */
  public Writer(
      Path dir,
      boolean fsync,
      long segmentSize,
      Index index,
      Recovery.Recovered recovered,
      LongConsumer onRoll) {
    this.dir = dir;
    this.fsync = fsync;
    this.segmentSize = segmentSize;
    this.index = index;
    this.onRoll = onRoll;
    this.sink = recovered.active();
    this.activeNumber = recovered.activeNumber();
    this.activeHasEntries = recovered.activeHasEntries();
    this.nextSequence = recovered.nextSequence();
    this.firstLiveSegment = recovered.firstLiveSegment();
    this.leases = new HashMap<>(recovered.leases());
    this.head = sink.chain().head();
    this.lastSequence = nextSequence - 1;
  }

  /** Starts the writer thread. */
  public void start(ThreadFactory threads) {
    Thread t = threads.newThread(this::run);
    thread = t;
    t.start();
  }

  /** Whether the caller is the writer thread (where waiting for a future would deadlock). */
  public boolean isWriterThread() {
    return Thread.currentThread() == thread;
  }

  /**
   * Appends a record encoded by {@link Bodies#record} (the caller's thread does the encoding);
   * completes with the sequenced record once it is durable.
   */
  public CompletableFuture<JournalRecord> append(JournalRecord record, byte[] body) {
    CompletableFuture<JournalRecord> f = new CompletableFuture<>();
    submit(new Append(record, body, f), "append");
    return f;
  }

  /**
   * Grants or releases a lease; completes with whether {@code rolloutId} holds it (grant) once
   * durable.
   */
  public CompletableFuture<Boolean> lease(boolean grant, String service, String rolloutId) {
    CompletableFuture<Boolean> f = new CompletableFuture<>();
    submit(new LeaseOp(grant, service, rolloutId, f), grant ? "tryLease" : "releaseLease");
    return f;
  }

  /** Rolls to a new segment if the active one has entries and captures the state for compaction. */
  public CompletableFuture<CutState> cut() {
    CompletableFuture<CutState> f = new CompletableFuture<>();
    submit(new Cut(f), "compact");
    return f;
  }

  /** Flushes what is queued, closes the active segment and stops the thread; idempotent. */
  public void close() {
    if (!closeRequested.compareAndSet(false, true)) {
      return;
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    closed = true;
    queue.add(new Close(f));
    try {
      f.join();
    } catch (RuntimeException e) {
      // The writer had already failed; its files are closed by its exit path.
    }
    Thread t = thread;
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The sealed live segments begin at {@code number}; set by compaction. */
  public void firstLiveSegment(long number) {
    this.firstLiveSegment = number;
  }

  /** Hash of the last durable entry. */
  public byte[] head() {
    return head.clone();
  }

  /** Sequence of the last durable record (0 if none was ever written). */
  public long lastSequence() {
    return lastSequence;
  }

  /** Batches made durable (one {@code force} each in FSYNC mode) since the writer started. */
  public long commits() {
    return commits;
  }

  /** The segment being appended to. */
  public long activeSegment() {
    return activeNumber;
  }

  /**
   * Queues an operation without taking a lock (64 appenders must not queue up behind one another
   * here). An operation queued while {@link #close} runs is failed either by this method, which
   * takes it back out of the queue, or by the writer, which fails whatever it finds after the Close
   * operation: never left waiting.
   */
  private void submit(Op op, String operation) {
    Throwable f = failure;
    if (closed || f != null) {
      op.done()
          .completeExceptionally(f != null ? failedError(operation, f) : closedError(operation));
      return;
    }
    queue.add(op);
    if (closed && queue.remove(op)) {
      op.done().completeExceptionally(closedError(operation));
    }
  }

  private ProviderException closedError(String operation) {
    return ProviderException.permanent("file", operation, "journal " + dir + " is closed");
  }

  private ProviderException failedError(String operation, Throwable cause) {
    return ProviderException.permanent(
        "file",
        operation,
        "journal "
            + dir
            + " stopped accepting records after an I/O"
            + " error ("
            + cause
            + "); fix the cause (disk full, failing device) and reopen it",
        cause);
  }

  private void run() {
    List<Op> batch = new ArrayList<>();
    try {
      boolean stop = false;
      while (!stop) {
        try {
          batch.add(queue.take());
        } catch (InterruptedException e) {
          failure = new IOException("journal writer thread was interrupted", e);
          return;
        }
        queue.drainTo(batch, MAX_BATCH - 1);
        stop = process(batch);
        batch.clear();
      }
    } catch (Throwable t) {
      failure = t;
      failPending(t);
      throw t;
    } finally {
      exit(batch);
    }
  }

  private boolean process(List<Op> batch) {
    boolean stop = false;
    for (Op op : batch) {
      if (stop) {
        op.done().completeExceptionally(closedError(name(op)));
        continue;
      }
      Throwable f = failure;
      if (f != null && !(op instanceof Close)) {
        op.done().completeExceptionally(failedError(name(op), f));
        continue;
      }
      try {
        if (op instanceof Append a) {
          long seq = nextSequence;
          Bodies.patchSequence(a.body(), seq);
          write(a.body());
          nextSequence++;
          JournalRecord r = a.record().withSequence(seq);
          published.add(r);
          dones.add(new Done<>(a.done(), r));
        } else if (op instanceof LeaseOp l) {
          lease(l);
        } else if (op instanceof Cut c) {
          commit();
          if (failure == null) {
            if (activeHasEntries) {
              roll();
            }
            c.done()
                .complete(
                    new CutState(
                        index.all(),
                        Map.copyOf(leases),
                        sink.chain().head(),
                        nextSequence,
                        activeNumber));
          } else {
            c.done().completeExceptionally(failedError("compact", failure));
          }
        } else if (op instanceof Close c) {
          commit();
          sink.close();
          dones.add(new Done<>(c.done(), null));
          stop = true;
        }
      } catch (IOException | RuntimeException e) {
        failure = e;
        failPending(e);
        op.done().completeExceptionally(failedError(name(op), e));
      }
    }
    commit();
    return stop;
  }

  private void lease(LeaseOp l) throws IOException {
    String holder = leases.get(l.service());
    if (l.grant()) {
      if (holder == null) {
        write(Bodies.lease(Bodies.LEASE, l.service(), l.rolloutId()));
        leases.put(l.service(), l.rolloutId());
        leaseChanges.add(new LeaseChange(l.service(), l.rolloutId(), true));
        dones.add(new Done<>(l.done(), true));
      } else {
        dones.add(new Done<>(l.done(), holder.equals(l.rolloutId())));
      }
    } else {
      if (l.rolloutId().equals(holder)) {
        write(Bodies.lease(Bodies.UNLEASE, l.service(), l.rolloutId()));
        leases.remove(l.service());
        leaseChanges.add(new LeaseChange(l.service(), l.rolloutId(), false));
      }
      dones.add(new Done<>(l.done(), true));
    }
  }

  private void write(byte[] body) throws IOException {
    if (activeHasEntries && sink.size() + Frames.Chain.entrySize(body.length) > segmentSize) {
      roll();
    }
    sink.add(body);
    activeHasEntries = true;
  }

  /**
   * Seals the active segment (durably, so no later segment can exist without it) and starts the
   * next.
   */
  private void roll() throws IOException {
    if (fsync) {
      sink.force();
    } else {
      sink.flush();
    }
    sink.close();
    activeNumber++;
    Frames.Chain chain = sink.chain();
    sink =
        EntrySink.create(
            Layout.segment(dir, activeNumber),
            new Frames.Header(Frames.SEGMENT, activeNumber, nextSequence, chain.head()),
            chain,
            fsync);
    activeHasEntries = false;
    onRoll.accept(activeNumber - firstLiveSegment);
  }

  /** Makes the batch durable (or at least written), publishes it, then acknowledges it. */
  private void commit() {
    if (dones.isEmpty()) {
      return;
    }
    if (failure == null) {
      try {
        if (fsync) {
          sink.force();
        } else {
          sink.flush();
        }
      } catch (IOException | RuntimeException e) {
        failure = e;
      }
    }
    Throwable f = failure;
    if (f != null) {
      failPending(f);
      return;
    }
    index.add(published);
    for (LeaseChange c : leaseChanges) {
      index.lease(c.service(), c.rolloutId(), c.granted());
    }
    head = sink.chain().head();
    lastSequence = nextSequence - 1;
    commits++;
    published.clear();
    leaseChanges.clear();
    for (Done<?> d : dones) {
      d.complete();
    }
    dones.clear();
  }

  private void failPending(Throwable cause) {
    for (Done<?> d : dones) {
      d.future().completeExceptionally(failedError("append", cause));
    }
    dones.clear();
    published.clear();
    leaseChanges.clear();
  }

  private void exit(List<Op> batch) {
    List<Op> rest = new ArrayList<>(batch);
    closed = true;
    queue.drainTo(rest);
    for (Op op : rest) {
      Throwable f = failure;
      op.done().completeExceptionally(f != null ? failedError(name(op), f) : closedError(name(op)));
    }
    try {
      sink.close();
    } catch (IOException e) {
      // Closing a channel we no longer write to: nothing is lost.
    }
  }

  private static String name(Op op) {
    if (op instanceof Append) {
      return "append";
    }
    if (op instanceof LeaseOp l) {
      return l.grant() ? "tryLease" : "releaseLease";
    }
    return op instanceof Cut ? "compact" : "close";
  }
}
