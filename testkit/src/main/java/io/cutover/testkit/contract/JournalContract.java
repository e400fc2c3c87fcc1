// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cutover.api.ProviderException;
import io.cutover.spi.Journal;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.JournalRecord.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Journal}: ordering, strictly increasing sequences, replay from a sequence,
 * records per rollout, leases, close, concurrency and (for durable journals) survival across
 * reopening.
 *
 * <p>Extend it and implement {@link #createJournal()}; a durable journal also overrides {@link
 * #reopen(Journal)} to enable the durability tests. Each test gets a fresh journal and closes it
 * afterwards; rollout and service names are unique per test, so a journal that shares storage
 * between tests still passes.
 *
 * <pre>{@code
 * class MyJournalContractTest extends JournalContract {
 *   @TempDir Path dir;
 *   protected Journal createJournal() { return MyJournal.open(dir); }
 *   protected Journal reopen(Journal closed) { return MyJournal.open(dir); }
 * }
 * }</pre>
 */
@DisplayName("Journal contract")
@DisplayNameGeneration(KitDisplayNames.class)
public abstract class JournalContract {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final String run = KitSupport.runId();
  private @Nullable Journal journal;
  private boolean closedByTest;

  /** A new, empty journal. Called once before each test. */
  protected abstract Journal createJournal();

  /**
   * Opens again the storage of a journal the kit has just closed, for durable journals; the default
   * returns null, which skips the durability tests.
   */
  protected @Nullable Journal reopen(Journal closed) {
    return null;
  }

  @BeforeEach
  void openJournal() {
    journal = createJournal();
    assertThat(journal).as("createJournal()").isNotNull();
  }

  @AfterEach
  void closeJournal() {
    if (journal != null && !closedByTest) {
      journal.close();
    }
  }

  /** The journal under test. */
  protected final Journal journal() {
    if (journal == null) {
      throw new IllegalStateException("no journal: createJournal() runs before each test");
    }
    return journal;
  }

  /** A rollout id unique to this test. */
  protected final String rollout(String name) {
    return "r-" + name + "-" + run;
  }

  /** A service name unique to this test. */
  protected final String service(String name) {
    return name + "-" + run;
  }

  private JournalRecord record(String rolloutId, String service, Type type, int second) {
    String op =
        type == Type.INTENT || type == Type.DONE || type == Type.FAILED
            ? rolloutId + "/s" + second + "/route"
            : null;
    return JournalRecord.of(
        T0.plusSeconds(second), rolloutId, service, type, op, "{\"n\":" + second + "}");
  }

  private List<JournalRecord> replayAll(Journal j, long from) {
    List<JournalRecord> out = new ArrayList<>();
    j.replay(from, out::add);
    return out;
  }

  private void closeForGood(Journal j) {
    j.close();
    closedByTest = true;
  }

  @Nested
  @KitGroup("appending")
  class Appending {
    @Test
    @DisplayName("assigns positive, strictly increasing sequences")
    void sequencesIncrease() {
      String r = rollout("seq");
      long previous = 0;
      for (int i = 0; i < 20; i++) {
        JournalRecord stored =
            journal().append(record(r, service("svc"), i == 0 ? Type.CREATED : Type.STATE, i));
        assertThat(stored.sequence()).as("sequence of record %d", i).isGreaterThan(previous);
        previous = stored.sequence();
      }
    }

    @Test
    @DisplayName("returns the record it stored, unchanged but for the sequence")
    void returnsTheRecord() {
      JournalRecord in = record(rollout("same"), service("svc"), Type.INTENT, 3);
      JournalRecord stored = journal().append(in);
      assertThat(stored.withSequence(-1)).isEqualTo(in);
      assertThat(journal().records(in.rolloutId())).containsExactly(stored);
    }

    @Test
    @DisplayName("stores payloads verbatim: unicode, escapes, newlines and 64 KiB of data")
    void payloadVerbatim() {
      String r = rollout("payload");
      String tricky =
          "{\"msg\":\"caf\u00e9 \u2603 \\\"quoted\\\"\\n\",\"emoji\":\"\ud83d\ude80\",\"tab\":\"\t\"}\n";
      String big = "{\"blob\":\"" + "x".repeat(64 * 1024) + "\"}";
      journal().append(JournalRecord.of(T0, r, service("svc"), Type.CREATED, null, tricky));
      journal().append(JournalRecord.of(T0, r, service("svc"), Type.STATE, null, big));
      assertThat(journal().records(r))
          .extracting(JournalRecord::payload)
          .containsExactly(tricky, big);
    }

    @Test
    @DisplayName("stores the index the engine gives a record verbatim, and an empty one as empty")
    void indexVerbatim() {
      String r = rollout("index");
      Map<String, String> index =
          Map.of("strategy", "canary", "target", "svc-2", "annotation.ticket", "CHG-é 1");
      journal()
          .append(
              JournalRecord.of(T0, r, service("svc"), Type.CREATED, null, "{}").withIndex(index));
      journal().append(JournalRecord.of(T0, r, service("svc"), Type.STATE, null, "{}"));
      assertThat(journal().records(r))
          .extracting(JournalRecord::index)
          .containsExactly(index, Map.of());
      List<JournalRecord> replayed = new ArrayList<>();
      journal()
          .replay(
              0,
              x -> {
                if (x.rolloutId().equals(r)) {
                  replayed.add(x);
                }
              });
      assertThat(replayed).extracting(JournalRecord::index).containsExactly(index, Map.of());
    }

    @Test
    @DisplayName("keeps time, type and operation id of every record, a null operation id included")
    void fieldsKept() {
      String r = rollout("fields");
      List<JournalRecord> in = new ArrayList<>();
      int i = 0;
      for (Type type : Type.values()) {
        // ENDED is left out: a journal may compact an ended rollout's records away.
        if (type != Type.ENDED) {
          in.add(record(r, service("svc"), type, i++));
        }
      }
      in.forEach(journal()::append);
      assertThat(journal().records(r))
          .extracting(rec -> rec.withSequence(-1))
          .containsExactlyElementsOf(in);
      JournalRecord end = record(r, service("svc"), Type.ENDED, i);
      assertThat(journal().append(end).withSequence(-1)).isEqualTo(end);
    }
  }

  @Nested
  @KitGroup("replay")
  class Replay {
    @Test
    @DisplayName("delivers every record in sequence order")
    void inOrder() {
      List<JournalRecord> stored = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        stored.add(
            journal()
                .append(
                    record(rollout(i % 2 == 0 ? "even" : "odd"), service("svc"), Type.STATE, i)));
      }
      List<JournalRecord> replayed = replayAll(journal(), 0);
      assertThat(replayed).containsSubsequence(stored);
      assertThat(replayed).extracting(JournalRecord::sequence).isSorted().doesNotHaveDuplicates();
    }

    @Test
    @DisplayName("from a sequence delivers that record and every later one, nothing earlier")
    void fromSequence() {
      List<JournalRecord> stored = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        stored.add(journal().append(record(rollout("from"), service("svc"), Type.STATE, i)));
      }
      long from = stored.get(6).sequence();
      List<JournalRecord> replayed = replayAll(journal(), from);
      assertThat(replayed).containsExactlyElementsOf(stored.subList(6, 10));
    }

    @Test
    @DisplayName("from beyond the last sequence delivers nothing")
    void beyondTheEnd() {
      JournalRecord last =
          journal().append(record(rollout("end"), service("svc"), Type.CREATED, 0));
      assertThat(replayAll(journal(), last.sequence() + 1)).isEmpty();
    }

    @Test
    @DisplayName("a consumer that throws leaves the journal intact and usable")
    void throwingConsumer() {
      String r = rollout("throwing");
      journal().append(record(r, service("svc"), Type.CREATED, 0));
      journal().append(record(r, service("svc"), Type.STATE, 1));
      assertThatThrownBy(
              () ->
                  journal()
                      .replay(
                          0,
                          rec -> {
                            throw new IllegalStateException("consumer failed");
                          }))
          .hasMessageContaining("consumer failed");

      JournalRecord after = journal().append(record(r, service("svc"), Type.STATE, 2));
      assertThat(journal().records(r)).hasSize(3).last().isEqualTo(after);
    }
  }

  @Nested
  @KitGroup("records of one rollout")
  class PerRollout {
    @Test
    @DisplayName("are exactly that rollout's records, in order, however appends interleave")
    void interleaved() {
      String a = rollout("a");
      String b = rollout("b");
      List<JournalRecord> ofA = new ArrayList<>();
      List<JournalRecord> ofB = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        ofA.add(journal().append(record(a, service("one"), Type.STATE, i)));
        ofB.add(journal().append(record(b, service("two"), Type.STATE, i)));
      }
      assertThat(journal().records(a)).containsExactlyElementsOf(ofA);
      assertThat(journal().records(b)).containsExactlyElementsOf(ofB);
    }

    @Test
    @DisplayName("are empty for a rollout the journal has never seen")
    void unknown() {
      journal().append(record(rollout("known"), service("svc"), Type.CREATED, 0));
      assertThat(journal().records(rollout("unknown"))).isEmpty();
    }

    @Test
    @DisplayName("are a snapshot: later appends do not change a list already returned")
    void snapshot() {
      String r = rollout("snap");
      journal().append(record(r, service("svc"), Type.CREATED, 0));
      List<JournalRecord> before = journal().records(r);
      journal().append(record(r, service("svc"), Type.STATE, 1));
      assertThat(before).hasSize(1);
    }
  }

  @Nested
  @KitGroup("leases")
  class Leases {
    @Test
    @DisplayName("a free service is granted, and its holder is reported")
    void grant() {
      String s = service("grant");
      assertThat(journal().leaseHolder(s)).isEmpty();
      assertThat(journal().tryLease(s, rollout("first"))).isTrue();
      assertThat(journal().leaseHolder(s)).contains(rollout("first"));
    }

    @Test
    @DisplayName("asking again for a lease already held by the same rollout succeeds")
    void reentrant() {
      String s = service("again");
      assertThat(journal().tryLease(s, rollout("first"))).isTrue();
      assertThat(journal().tryLease(s, rollout("first"))).isTrue();
      assertThat(journal().leaseHolder(s)).contains(rollout("first"));
    }

    @Test
    @DisplayName("a second rollout is refused while the first holds the service")
    void exclusive() {
      String s = service("busy");
      journal().tryLease(s, rollout("first"));
      assertThat(journal().tryLease(s, rollout("second"))).isFalse();
      assertThat(journal().leaseHolder(s)).contains(rollout("first"));
    }

    @Test
    @DisplayName("a release by a rollout that does not hold the lease does nothing")
    void foreignRelease() {
      String s = service("foreign");
      journal().tryLease(s, rollout("first"));
      journal().releaseLease(s, rollout("second"));
      assertThat(journal().leaseHolder(s)).contains(rollout("first"));
    }

    @Test
    @DisplayName("once released by its holder, the service can be leased by another rollout")
    void releaseThenLease() {
      String s = service("handover");
      journal().tryLease(s, rollout("first"));
      journal().releaseLease(s, rollout("first"));
      assertThat(journal().leaseHolder(s)).isEmpty();
      assertThat(journal().tryLease(s, rollout("second"))).isTrue();
      assertThat(journal().leaseHolder(s)).contains(rollout("second"));
    }

    @Test
    @DisplayName("leases of different services are independent")
    void perService() {
      assertThat(journal().tryLease(service("one"), rollout("a"))).isTrue();
      assertThat(journal().tryLease(service("two"), rollout("b"))).isTrue();
      journal().releaseLease(service("one"), rollout("a"));
      assertThat(journal().leaseHolder(service("two"))).contains(rollout("b"));
    }

    @Test
    @DisplayName("of 8 rollouts racing for one service, exactly one wins")
    void race() throws Exception {
      String s = service("race");
      List<Boolean> won =
          KitSupport.concurrently(8, t -> journal().tryLease(s, rollout("racer" + t)));
      assertThat(won).containsOnlyOnce(true);
      int winner = won.indexOf(true);
      assertThat(journal().leaseHolder(s)).contains(rollout("racer" + winner));
    }
  }

  @Nested
  @KitGroup("closing")
  class Closing {
    @Test
    @DisplayName("an append after close fails")
    void appendAfterClose() {
      journal().append(record(rollout("c"), service("svc"), Type.CREATED, 0));
      closeForGood(journal());
      assertThatThrownBy(
              () -> journal().append(record(rollout("c"), service("svc"), Type.STATE, 1)))
          .isInstanceOfAny(IllegalStateException.class, ProviderException.class);
    }
  }

  @Nested
  @KitGroup("concurrency")
  class Concurrency {
    @Test
    @DisplayName(
        "8 threads x 1000 concurrent appends are all retained, with unique sequences, in each thread's order")
    void concurrentAppends() throws Exception {
      int threads = 8;
      int perThread = 1000;
      List<List<JournalRecord>> results =
          KitSupport.concurrently(
              threads,
              t -> {
                List<JournalRecord> mine = new ArrayList<>(perThread);
                for (int i = 0; i < perThread; i++) {
                  mine.add(
                      journal()
                          .append(
                              record(rollout("writer" + t), service("svc" + t), Type.STATE, i)));
                }
                return mine;
              });
      Set<Long> sequences = new HashSet<>();
      for (int t = 0; t < threads; t++) {
        List<JournalRecord> mine = results.get(t);
        assertThat(mine)
            .extracting(JournalRecord::sequence)
            .as("writer %d sequences", t)
            .isSorted();
        mine.forEach(rec -> sequences.add(rec.sequence()));
        assertThat(journal().records(rollout("writer" + t))).containsExactlyElementsOf(mine);
      }
      assertThat(sequences).hasSize(threads * perThread);
      AtomicInteger replayed = new AtomicInteger();
      journal()
          .replay(
              0,
              rec -> {
                if (rec.rolloutId().endsWith(run) && rec.rolloutId().startsWith("r-writer")) {
                  replayed.incrementAndGet();
                }
              });
      assertThat(replayed).hasValue(threads * perThread);
    }
  }

  @Nested
  @KitGroup("durability (journals that implement reopen)")
  class Durability {
    private Journal reopened() {
      closeForGood(journal());
      Journal again = reopen(journal());
      assumeTrue(again != null, "the journal under test is not durable (reopen returns null)");
      Journal durable = Objects.requireNonNull(again);
      journal = durable;
      closedByTest = false;
      return durable;
    }

    @Test
    @DisplayName("records survive closing and reopening, in order")
    void recordsSurvive() {
      String r = rollout("durable");
      List<JournalRecord> stored = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        stored.add(
            journal().append(record(r, service("svc"), i == 0 ? Type.CREATED : Type.STATE, i)));
      }
      Journal again = reopened();
      assertThat(again.records(r)).containsExactlyElementsOf(stored);
    }

    @Test
    @DisplayName("sequences keep increasing after reopening")
    void sequencesContinue() {
      JournalRecord last =
          journal().append(record(rollout("cont"), service("svc"), Type.CREATED, 0));
      Journal again = reopened();
      JournalRecord next = again.append(record(rollout("cont"), service("svc"), Type.STATE, 1));
      assertThat(next.sequence()).isGreaterThan(last.sequence());
    }

    @Test
    @DisplayName("leases survive closing and reopening")
    void leasesSurvive() {
      journal().tryLease(service("kept"), rollout("holder"));
      Journal again = reopened();
      assertThat(again.leaseHolder(service("kept"))).contains(rollout("holder"));
      assertThat(again.tryLease(service("kept"), rollout("other"))).isFalse();
    }
  }
}
