// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.facade;

import io.cutover.api.ArtifactRef;
import io.cutover.api.plan.Plan;
import io.cutover.core.RolloutOptions;
import io.cutover.core.internal.engine.EndedStatus;
import io.cutover.core.internal.engine.EngineContext;
import io.cutover.core.internal.engine.RolloutRun;
import io.cutover.core.internal.schema.JournalPayload;
import io.cutover.spi.Journal;
import io.cutover.spi.JournalRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the journal back into a running engine: continues the rollouts that were open, replays the
 * ones that ended into the {@link ReleaseHistory}, and releases leases nobody can release any more.
 * Also mints rollout ids, because an id must never name a rollout the journal already holds.
 *
 * <p>This engine drives every rollout of its journal (one engine per journal), so a lease holder
 * that it is neither starting nor running, and that has ended or was never journaled, is nobody's:
 * its lease is stale.
 *
 * <p><b>Threading.</b> Thread-safe; lease changes happen under the {@link ReleaseHistory} monitor.
 */
public final class JournalRecovery {
  // Looked up when something is logged (failures only), not when the class loads: building a
  // Cutover does not initialize the logging backend.
  private static Logger log() {
    return LoggerFactory.getLogger(JournalRecovery.class);
  }

  private final Journal journal;
  private final EngineContext ctx;
  private final ReleaseHistory history;
  private final LiveRollouts live;
  private final RolloutOptions defaultOptions;
  private final ArtifactPins pins;

  /** Verifies an artifact again before its rollout continues; null without an artifact store. */
  private final @Nullable BiFunction<ArtifactRef, String, List<String>> reverify;

  private final AtomicLong sequence = new AtomicLong();

  /** With a journal shared by replicas: what other replicas' rollouts left; else null. */
  private final @Nullable SharedReleases shared;

  /**
   * Whether the ended rollouts were replayed into the history: only once, by the first {@link
   * #recover()}; after it the history learns of every end directly, and replaying again would list
   * finished rollouts twice.
   */
  private boolean historyReplayed;

  public JournalRecovery(
      EngineContext ctx,
      ReleaseHistory history,
      LiveRollouts live,
      RolloutOptions defaultOptions,
      ArtifactPins pins,
      @Nullable BiFunction<ArtifactRef, String, List<String>> reverify,
      @Nullable SharedReleases shared) {
    this.shared = shared;
    this.pins = pins;
    this.reverify = reverify;
    this.journal = ctx.journal();
    this.ctx = ctx;
    this.history = history;
    this.live = live;
    this.defaultOptions = defaultOptions;
  }

  /**
   * Replays the journal: continues every rollout that was open (see {@code
   * Cutover.recoverFromJournal}), replays the ended ones into the history and releases stale
   * leases. Rollouts already running here are left alone.
   *
   * @return the continued rollouts, already started
   */
  public synchronized List<RolloutRun> recover() {
    ByRollout read = new ByRollout();
    journal.replay(0, read);
    Map<String, List<JournalRecord>> byRollout = read.records;
    List<RolloutRun> resumed = new ArrayList<>();
    for (Map.Entry<String, List<JournalRecord>> e : byRollout.entrySet()) {
      String id = e.getKey();
      List<JournalRecord> records = e.getValue();
      if (live.isRunning(id)
          || records.isEmpty()
          || records.get(0).type() != JournalRecord.Type.CREATED) {
        continue;
      }
      RolloutRun run = resume(id, records);
      if (run != null) {
        resumed.add(run);
      }
    }
    synchronized (history) {
      for (List<JournalRecord> records : byRollout.values()) {
        releaseStaleLease(records.get(0).service());
      }
    }
    if (!historyReplayed) {
      historyReplayed = true;
      if (shared != null) {
        synchronized (history) {
          shared.recoveredUpTo(read.last);
        }
      }
      for (ReleaseHistory.Retention r : history.retentions()) {
        pins.retain(r);
      }
    }
    return resumed;
  }

  /**
   * The replayed records grouped by rollout, in journal order, and the last sequence seen. A class
   * rather than a lambda: {@link #recover()} runs in every build, where the first lambdas a fresh
   * JVM links cost more than loading a class.
   */
  private static final class ByRollout implements Consumer<JournalRecord> {
    final Map<String, List<JournalRecord>> records = new LinkedHashMap<>();
    long last;

    @Override
    public void accept(JournalRecord r) {
      List<JournalRecord> list = records.get(r.rolloutId());
      if (list == null) {
        list = new ArrayList<>();
        records.put(r.rolloutId(), list);
      }
      list.add(r);
      last = Math.max(last, r.sequence());
    }
  }

  /**
   * Continues one rollout that is open in the journal, as {@link #recover()} does for each: for an
   * engine replica that took the rollout over from another (a shared journal). A rollout that ended
   * meanwhile only has its service lease released.
   *
   * @return the continued rollout, already started; null if it runs here already, is not in the
   *     journal, has ended, cannot be read, or its service is leased to another rollout
   */
  public synchronized @Nullable RolloutRun resume(String rolloutId) {
    if (live.isRunning(rolloutId)) {
      return null;
    }
    List<JournalRecord> records = journal.records(rolloutId);
    if (records.isEmpty() || records.get(0).type() != JournalRecord.Type.CREATED) {
      return null;
    }
    return resume(rolloutId, records);
  }

  private @Nullable RolloutRun resume(String id, List<JournalRecord> records) {
    JournalPayload.Created created;
    Plan plan;
    try {
      created = ctx.codec().created(records.get(0));
      plan = created.plan();
    } catch (RuntimeException ex) {
      log()
          .error(
              "rollout {} cannot be resumed: its CREATED record is unreadable ({}); it stays as journaled",
              id,
              ex.getMessage());
      return null;
    }
    JournalRecord last = records.get(records.size() - 1);
    if (last.type() == JournalRecord.Type.ENDED) {
      if (!historyReplayed) {
        replayEnded(id, plan, records);
      }
      // The engine may have died between journaling the end and releasing the lease.
      journal.releaseLease(plan.service(), id);
      return null;
    }
    RolloutOptions options =
        new RolloutOptions(
            created.progressDeadline() != null
                ? created.progressDeadline()
                : defaultOptions.progressDeadline(),
            created.skipAnalysis(),
            created.initiator(),
            created.annotations());
    List<String> evidence = created.verification();
    synchronized (history) {
      releaseStaleLease(plan.service());
      if (!journal.tryLease(plan.service(), id)) {
        log()
            .error(
                "rollout {} cannot be resumed: {} is leased to {}",
                id,
                plan.service(),
                journal.leaseHolder(plan.service()).orElse("?"));
        return null;
      }
      if (shared != null) {
        // Taken over: what other replicas' rollouts of the service left (this one's stable).
        try {
          shared.refresh(plan.service());
        } catch (RuntimeException e) {
          // The rollout must not wait for it: its own records say what it does.
          log()
              .warn(
                  "rollout {} resumes without the latest release history of {}: {}",
                  id,
                  plan.service(),
                  e.getMessage());
        }
      }
      history.recovering(plan);
    }
    RolloutRun run = RolloutRun.recover(id, plan, options, ctx, evidence, records);
    String refused = reverify(plan);
    if (refused != null) {
      run.refuseToContinue(refused);
    }
    live.running(run);
    run.resumeFromJournal();
    return run;
  }

  /**
   * Releases a service's lease if its holder can never release it: a rollout whose last record is
   * ENDED (its engine died between that record and the release) or that has no record at all (its
   * engine died between taking the lease and journaling CREATED). Call holding the {@link
   * ReleaseHistory} monitor.
   */
  public void releaseStaleLease(String service) {
    String holder = journal.leaseHolder(service).orElse(null);
    if (holder == null || live.isLive(holder)) {
      return;
    }
    List<JournalRecord> records = journal.records(holder);
    if (records.isEmpty() || records.get(records.size() - 1).type() == JournalRecord.Type.ENDED) {
      log()
          .warn(
              "releasing the lease of {} on {}: {}",
              holder,
              service,
              records.isEmpty()
                  ? "the rollout was never journaled (its engine stopped after taking the lease)"
                  : "the rollout has ended (its engine stopped before releasing the lease)");
      journal.releaseLease(service, holder);
    }
  }

  /**
   * Verifies a recovering rollout's target again (the store or the policy may have changed while
   * the engine was down, e.g. a revoked key or a deleted blob); returns why it must not continue,
   * or null. Runs on the caller's thread, as verification before a start does.
   */
  private @Nullable String reverify(Plan plan) {
    if (reverify == null) {
      return null;
    }
    try {
      List<String> evidence = reverify.apply(plan.target().artifact(), plan.service());
      log().info("re-verified {} before resuming: {}", plan.target().artifact(), evidence);
      return null;
    } catch (RuntimeException e) {
      log()
          .error(
              "rollout of {} cannot continue: its artifact {} fails verification now",
              plan.target().id(),
              plan.target().artifact(),
              e);
      return "cannot resume safely: "
          + plan.target().artifact()
          + " failed verification again after the restart: "
          + e.getMessage();
    }
  }

  /** A new rollout id for the service, never one the journal already holds. */
  public String newRolloutId(String service) {
    String id;
    do {
      id =
          service
              + "-"
              + Long.toString(ctx.clock().millis(), 36)
              + "-"
              + sequence.incrementAndGet();
      // A restarted engine counts from 1 again; if its clock shows a millisecond an earlier life
      // used (a
      // virtual clock, a clock stepped back), the id could name a journaled rollout and its
      // operation ids.
    } while (!journal.records(id).isEmpty());
    return id;
  }

  private void replayEnded(String id, Plan plan, List<JournalRecord> records) {
    JournalRecord ended = records.get(records.size() - 1);
    JournalPayload.Ended e;
    try {
      if (!(ctx.codec().decode(ended) instanceof JournalPayload.Ended read)) {
        return;
      }
      e = read;
    } catch (IllegalArgumentException ex) {
      log().warn("unreadable ENDED record {} ignored", ended.sequence());
      return;
    }
    history.replayEnded(
        plan, e.succeeded(), e.revisions(), EndedStatus.of(id, plan, records, ctx.codec()));
  }
}
