// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.core.journal.internal.Bodies;
import io.cutover.core.journal.internal.Compactor;
import io.cutover.core.journal.internal.DirectoryLock;
import io.cutover.core.journal.internal.Frames;
import io.cutover.core.journal.internal.HistoryFile;
import io.cutover.core.journal.internal.Index;
import io.cutover.core.journal.internal.Layout;
import io.cutover.core.journal.internal.Recovery;
import io.cutover.core.journal.internal.Summaries;
import io.cutover.core.journal.internal.Writer;
import io.cutover.spi.Journal;
import io.cutover.spi.JournalRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default {@link Journal}: durable, tamper-evident, append-only files in one
 * directory.
 *
 * <p><b>Format.</b> Records go to numbered segment files; every entry carries its length, a CRC32C,
 * and the SHA-256 of the entry before it, so the whole journal is one hash chain across segments,
 * the snapshot's anchor, and the history file. See {@code docs/journal.md} for the byte layout.
 *
 * <p><b>Durability.</b> With {@link DurabilityMode#FSYNC} (the default) {@link #append} returns
 * only after the record was forced to disk. One writer thread takes every append queued while the
 * previous flush ran and makes them durable with one {@code fsync} (group commit): sixty-four
 * concurrent appenders share a flush instead of queueing for sixty-four. {@link #appendAsync} lets
 * a single caller keep many appends in flight.
 *
 * <p><b>Open and recovery.</b> {@link #open} locks the directory ({@link JournalLockedException} if
 * another process or {@code FileJournal} holds it), loads the snapshot, verifies every live
 * segment, and truncates a torn tail of the newest segment (a record that was being written when
 * the process or machine stopped, and so was never acknowledged). Anything else that does not
 * verify — a flipped byte, an edited, removed or reordered record, a missing segment — raises
 * {@link JournalCorruptedException} naming the file and offset; nothing is skipped.
 *
 * <p><b>Compaction.</b> Segments roll at {@link Builder#segmentSize}. When {@link
 * Builder#compactAfterSegments} sealed segments have accumulated (and outweigh the last snapshot),
 * a background thread compacts them: each ended rollout becomes a {@link RolloutSummary} in the
 * history file ({@link #history}), the records of open rollouts and the lease table move into a
 * snapshot, and the covered segments are deleted. The latest ended and the latest succeeded rollout
 * of each service keep their records until newer ones end, so that an engine replaying the journal
 * after a restart still learns every service's stable release. Open time therefore depends on the
 * open rollouts, the services and the newest segments, not on how much history the directory holds.
 * {@link #replay} and {@link #records} return the retained records: those of open rollouts always,
 * those of ended rollouts until they are compacted.
 *
 * <p><b>Leases</b> are journal entries too, so they survive reopening.
 *
 * <p><b>Threading.</b> Safe for concurrent use. Appends, lease changes and compaction cuts are
 * serialised by the writer thread; reads ({@link #replay}, {@link #records}, {@link #leaseHolder},
 * {@link #history}) see every acknowledged change and never a record that is not yet durable.
 * {@link #close} waits for a running compaction and for queued appends.
 *
 * <p><b>Errors.</b> {@link ProviderException} (provider {@code file}, not retryable) when a record
 * cannot be made durable; after an I/O error the journal accepts nothing more and must be reopened.
 * {@link InvalidSpecException} for a payload over 16 MiB.
 */
public final class FileJournal implements Journal {
  /**
   * The logger, created when there is something to log: a clean open logs nothing, and creating it
   * first initialises SLF4J if the host has not, whose provider lookup reads every jar on the class
   * path (about 140 ms of opening a journal in the benchmark's fresh JVM, with 113 jars).
   */
  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(FileJournal.class);
  }

  /** Default segment size: 16 MiB. */
  public static final long DEFAULT_SEGMENT_SIZE = 16L << 20;

  /** Default number of sealed segments that triggers compaction. */
  public static final int DEFAULT_COMPACT_AFTER_SEGMENTS = 2;

  /** Largest encoded record accepted, payload included. */
  public static final int MAX_RECORD_BYTES = Frames.MAX_BODY;

  private final Path directory;
  private final DurabilityMode durability;
  private final int compactAfterSegments;
  private final long segmentSize;
  // Size of the last snapshot: compacting before the sealed segments outweigh it would rewrite the
  // open
  // rollouts' records more often than new records arrive.
  private volatile long snapshotBytes;
  private final ThreadFactory threads;
  private final DirectoryLock lock;
  private final Index index = new Index();
  private final Writer writer;
  private final Object compactionLock = new Object();
  // Makes "prune compacted records + switch to the new history" one step for history queries.
  private final Object publishLock = new Object();
  private final AtomicBoolean compactionQueued = new AtomicBoolean();
  private volatile HistoryFile.State history;
  private volatile long firstLiveSegment;
  private volatile boolean closed;
  private @Nullable ExecutorService compactor;

  private FileJournal(Builder b, Path dir, DirectoryLock lock, Recovery.Recovered rec) {
    this.directory = dir;
    this.durability = b.durability;
    this.compactAfterSegments = b.compactAfterSegments;
    this.segmentSize = b.segmentSize;
    this.snapshotBytes = sizeOf(dir.resolve(Layout.SNAPSHOT));
    this.threads = b.threads;
    this.lock = lock;
    this.history = rec.history();
    this.firstLiveSegment = rec.firstLiveSegment();
    index.add(rec.records());
    rec.leases().forEach((service, rollout) -> index.lease(service, rollout, true));
    this.writer =
        new Writer(
            dir,
            durability == DurabilityMode.FSYNC,
            b.segmentSize,
            index,
            rec,
            this::segmentSealed);
  }

  /** Opens (creating if needed) a journal in {@code directory} with the defaults. */
  public static FileJournal open(Path directory) {
    return builder(directory).open();
  }

  /** A builder for a journal in {@code directory}. */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** The journal directory (its real path). */
  public Path directory() {
    return directory;
  }

  /** When appends are acknowledged. */
  public DurabilityMode durability() {
    return durability;
  }

  /**
   * Appends a record and returns it with its sequence once it is durable (per {@link
   * #durability()}). The record's own sequence, if any, is ignored.
   *
   * @throws ProviderException if it could not be made durable (the journal then accepts nothing
   *     more)
   * @throws InvalidSpecException if the encoded record exceeds {@link #MAX_RECORD_BYTES}
   * @throws IllegalStateException if called from a callback of {@link #appendAsync}, where waiting
   *     would deadlock
   */
  @Override
  public JournalRecord append(JournalRecord record) {
    if (writer.isWriterThread()) {
      throw new IllegalStateException(
          "FileJournal.append was called from a completion callback of appendAsync,"
              + " which runs on the journal's writer thread and would wait for itself; use thenApplyAsync/"
              + "thenRunAsync for callbacks that append");
    }
    return join(appendAsync(record));
  }

  /**
   * Queues a record and returns at once; the future completes with the sequenced record when it is
   * durable, or fails with {@link ProviderException}. Records are written in the order of the
   * calls.
   *
   * <p>Dependent stages without an executor run on the journal's writer thread: keep them short and
   * non-blocking, or use the {@code *Async} variants.
   *
   * @throws InvalidSpecException if the encoded record exceeds {@link #MAX_RECORD_BYTES} (nothing
   *     is queued)
   */
  @Override
  public CompletableFuture<JournalRecord> appendAsync(JournalRecord record) {
    Objects.requireNonNull(record, "record");
    byte[] body = Bodies.record(record);
    if (body.length > MAX_RECORD_BYTES) {
      throw new InvalidSpecException(
          "record.payload",
          "the "
              + record.type()
              + " record of "
              + record.rolloutId()
              + " encodes to "
              + body.length
              + " bytes, over the journal's limit of "
              + MAX_RECORD_BYTES,
          "keep payloads small: store large data elsewhere and journal a reference to it");
    }
    return writer.append(record, body);
  }

  @Override
  public void replay(long fromSequence, Consumer<JournalRecord> consumer) {
    for (JournalRecord r : index.from(fromSequence)) {
      consumer.accept(r);
    }
  }

  @Override
  public List<JournalRecord> records(String rolloutId) {
    return index.rollout(rolloutId);
  }

  /** {@inheritDoc} The grant is durable when this returns true. */
  @Override
  public boolean tryLease(String service, String rolloutId) {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(rolloutId, "rolloutId");
    return join(writer.lease(true, service, rolloutId));
  }

  @Override
  public Optional<String> leaseHolder(String service) {
    return index.leaseHolder(service);
  }

  /** {@inheritDoc} The release is durable when this returns. */
  @Override
  public void releaseLease(String service, String rolloutId) {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(rolloutId, "rolloutId");
    join(writer.lease(false, service, rolloutId));
  }

  /**
   * {@inheritDoc} Queued behind every append and lease change made before it, and made durable with
   * them (group commit).
   */
  @Override
  public CompletableFuture<Void> releaseLeaseAsync(String service, String rolloutId) {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(rolloutId, "rolloutId");
    return writer.lease(false, service, rolloutId).thenApply(held -> null);
  }

  /**
   * The ended rollouts of a service, oldest first (by their first record): compacted ones from the
   * history file and those not compacted yet from their records. Reads and verifies the whole
   * history file, so its cost grows with history; meant for audits and the {@code history} command,
   * not for hot paths.
   *
   * @throws JournalCorruptedException if the history file does not verify
   */
  public List<RolloutSummary> history(String service) {
    Objects.requireNonNull(service, "service");
    List<RolloutSummary> out = new ArrayList<>();
    HistoryFile.State committed;
    synchronized (publishLock) {
      committed = history;
      for (List<JournalRecord> records : index.rolloutsOf(service)) {
        RolloutSummary s = Summaries.of(records);
        if (s != null) {
          out.add(s);
        }
      }
    }
    try {
      // The committed prefix of the history file never changes, so it can be read outside the lock.
      out.addAll(HistoryFile.read(directory, committed, service));
    } catch (IOException e) {
      throw ProviderException.retryable(
          "file", "history", "cannot read " + directory.resolve("history.dat") + ": " + e, e);
    }
    out.sort(Comparator.comparingLong(RolloutSummary::firstSequence));
    return out;
  }

  /**
   * Compacts now, in the calling thread: seals the active segment, moves ended rollouts into
   * history and open ones into the snapshot, and deletes the covered segments. Appends continue
   * meanwhile (they wait only for the segment roll). Does nothing if nothing was appended since the
   * last compaction.
   *
   * @throws ProviderException if the journal is closed or the files cannot be written (the journal
   *     stays consistent: the previous snapshot and segments are kept)
   */
  public void compact() {
    synchronized (compactionLock) {
      if (closed) {
        throw ProviderException.permanent("file", "compact", "journal " + directory + " is closed");
      }
      try {
        Compactor.Outcome o =
            Compactor.run(
                directory,
                writer,
                index,
                history,
                firstLiveSegment,
                durability == DurabilityMode.FSYNC);
        synchronized (publishLock) {
          index.prune(o.summarised(), o.upTo());
          history = o.history();
        }
        writer.firstLiveSegment(o.firstLiveSegment());
        if (o.firstLiveSegment() != firstLiveSegment) {
          Log.LOG.debug(
              "compacted {}: {} rollouts into history, {} records kept, live from segment {}",
              directory,
              o.summarised().size(),
              o.retained(),
              o.firstLiveSegment());
        }
        firstLiveSegment = o.firstLiveSegment();
        snapshotBytes = sizeOf(directory.resolve(Layout.SNAPSHOT));
      } catch (IOException e) {
        throw ProviderException.retryable(
            "file", "compact", "compaction of " + directory + " failed: " + e, e);
      } catch (CompletionException e) {
        throw unwrap(e);
      }
    }
  }

  /** The sequence of the last durable record (0 if none was ever appended). */
  public long lastSequence() {
    return writer.lastSequence();
  }

  /**
   * How many group commits this journal has made since it was opened: each is one {@code fsync} in
   * {@link DurabilityMode#FSYNC} mode, covering every append that was queued when it began. Appends
   * divided by commits is the average group size, a useful gauge of how much concurrency the disk
   * sees.
   */
  public long commits() {
    return writer.commits();
  }

  /**
   * The hash of the last durable entry, {@code sha256:<hex>}: the head of the journal's hash chain.
   * Recording it elsewhere (a ticket, a log shipped off the machine) lets an audit prove later that
   * no entry before it was rewritten, since rewriting one changes every hash after it.
   */
  public String headHash() {
    return Frames.hex(writer.head());
  }

  /**
   * Waits for a running compaction and queued appends, then closes the files and releases the
   * directory.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    synchronized (compactionLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    ExecutorService c;
    synchronized (this) {
      c = compactor;
    }
    if (c != null) {
      c.shutdown();
    }
    writer.close();
    try {
      lock.close();
    } catch (IOException e) {
      Log.LOG.warn("could not release the lock of journal {}", directory, e);
    }
  }

  @Override
  public String toString() {
    return "FileJournal{" + directory + ", " + durability + "}";
  }

  /** Called on the writer thread after a segment roll. */
  private void segmentSealed(long sealedSegments) {
    if (!compactionDue(sealedSegments) || !compactionQueued.compareAndSet(false, true)) {
      return;
    }
    try {
      compactorExecutor()
          .execute(
              () -> {
                try {
                  compactIfStillDue();
                } catch (RuntimeException e) {
                  if (!closed) {
                    Log.LOG.warn(
                        "background compaction of journal {} failed; it will be retried after the next segment"
                            + " roll",
                        directory,
                        e);
                  }
                } finally {
                  compactionQueued.set(false);
                }
              });
    } catch (RejectedExecutionException e) {
      compactionQueued.set(false); // closing
    }
  }

  private boolean compactionDue(long sealedSegments) {
    return compactAfterSegments > 0
        && sealedSegments >= compactAfterSegments
        && sealedSegments * segmentSize >= snapshotBytes
        && !closed;
  }

  // The rule is checked again when the queued task runs: a compact() call made between queueing
  // and running (by the caller, or the previous background task) may have grown the snapshot and
  // consumed the sealed segments, and compacting anyway would rewrite the open rollouts' records
  // for a handful of new ones.
  private void compactIfStillDue() {
    synchronized (compactionLock) {
      if (compactionDue(writer.activeSegment() - firstLiveSegment)) {
        compact();
      }
    }
  }

  /** Whether a background compaction is queued or running; for tests of the trigger rule. */
  boolean backgroundCompactionQueued() {
    return compactionQueued.get();
  }

  private static long sizeOf(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private synchronized ExecutorService compactorExecutor() {
    if (compactor == null) {
      compactor = Executors.newSingleThreadExecutor(threads);
    }
    return compactor;
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      throw unwrap(e);
    }
  }

  private static RuntimeException unwrap(CompletionException e) {
    return e.getCause() instanceof RuntimeException r ? r : e;
  }

  /** Configures and opens a {@link FileJournal}. Not thread-safe. */
  public static final class Builder {
    private final Path directory;
    private DurabilityMode durability = DurabilityMode.FSYNC;
    private long segmentSize = DEFAULT_SEGMENT_SIZE;
    private int compactAfterSegments = DEFAULT_COMPACT_AFTER_SEGMENTS;
    private ThreadFactory threads = daemonThreads();

    private Builder(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
    }

    /** When appends are acknowledged; default {@link DurabilityMode#FSYNC}. */
    public Builder durability(DurabilityMode mode) {
      this.durability = Objects.requireNonNull(mode, "durability");
      return this;
    }

    /**
     * Size at which a segment is sealed and the next begins; default 16 MiB, at least 4 KiB. A
     * record larger than this gets a segment of its own.
     */
    public Builder segmentSize(long bytes) {
      if (bytes < 4096 || bytes > (1L << 30)) {
        throw new InvalidSpecException(
            "segmentSize", "is " + bytes + " bytes", "use 4096 bytes to 1 GiB");
      }
      this.segmentSize = bytes;
      return this;
    }

    /**
     * Compact in the background once this many sealed segments accumulate, and they hold at least
     * as many bytes as the last snapshot (so that the open rollouts' records, which every
     * compaction rewrites, are not rewritten more often than new records arrive); default 2; 0
     * turns background compaction off (call {@link FileJournal#compact()} yourself).
     */
    public Builder compactAfterSegments(int segments) {
      if (segments < 0) {
        throw new InvalidSpecException(
            "compactAfterSegments", "is " + segments, "use 0 (off) or more");
      }
      this.compactAfterSegments = segments;
      return this;
    }

    /**
     * Creates the writer and compaction threads; default daemon threads named {@code
     * cutover-journal-*}.
     */
    public Builder threadFactory(ThreadFactory factory) {
      this.threads = Objects.requireNonNull(factory, "threadFactory");
      return this;
    }

    /**
     * Creates the directory if needed, locks it, recovers it, and starts the writer.
     *
     * @throws JournalLockedException if the directory is open elsewhere
     * @throws JournalCorruptedException if its files do not verify
     * @throws ProviderException if the directory cannot be read or written
     */
    public FileJournal open() {
      Path real;
      try {
        Layout.createPrivateDirectories(directory);
        real = directory.toRealPath();
      } catch (IOException e) {
        throw ProviderException.permanent(
            "file",
            "open",
            "cannot create or resolve journal directory " + directory + ": " + e,
            e);
      }
      DirectoryLock lock;
      try {
        lock = DirectoryLock.acquire(real);
      } catch (IOException e) {
        throw ProviderException.permanent(
            "file", "open", "cannot lock journal directory " + real + ": " + e, e);
      }
      try {
        Recovery.Recovered rec = Recovery.recover(real, durability == DurabilityMode.FSYNC);
        for (String note : rec.notes()) {
          Log.LOG.warn("journal {}: {}", real, note);
        }
        FileJournal j = new FileJournal(this, real, lock, rec);
        j.writer.start(threads);
        return j;
      } catch (IOException | RuntimeException e) {
        try {
          lock.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
        if (e instanceof IOException io) {
          throw ProviderException.permanent(
              "file", "open", "cannot read journal directory " + real + ": " + io, io);
        }
        throw (RuntimeException) e;
      }
    }

    private static ThreadFactory daemonThreads() {
      AtomicInteger n = new AtomicInteger();
      return r -> {
        Thread t = new Thread(r, "cutover-journal-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      };
    }
  }
}
