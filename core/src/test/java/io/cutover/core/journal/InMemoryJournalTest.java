// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.JournalRecord.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the in-memory journal adds to the Journal contract (the contract itself runs in the
 * testkit).
 */
class InMemoryJournalTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static JournalRecord rec(String rollout, String service, Type type, int second) {
    return JournalRecord.of(
        T0.plusSeconds(second), rollout, service, type, null, "{\"at\":" + second + "}");
  }

  @Test
  void sequencesStartAtOneAndIncreaseByOne() {
    InMemoryJournal journal = InMemoryJournal.create();
    assertThat(journal.lastSequence()).isZero();
    assertThat(journal.append(rec("r1", "svc", Type.CREATED, 0)).sequence()).isEqualTo(1);
    assertThat(journal.append(rec("r2", "svc", Type.CREATED, 0)).sequence()).isEqualTo(2);
    assertThat(journal.append(rec("r1", "svc", Type.STATE, 1)).sequence()).isEqualTo(3);
    assertThat(journal.lastSequence()).isEqualTo(3);
    assertThat(journal.size()).isEqualTo(3);
  }

  @Test
  void retainsEndedRolloutsByDefault() {
    InMemoryJournal journal = InMemoryJournal.create();
    journal.append(rec("r1", "svc", Type.CREATED, 0));
    journal.append(rec("r1", "svc", Type.ENDED, 5));
    assertThat(journal.records("r1"))
        .extracting(JournalRecord::type)
        .containsExactly(Type.CREATED, Type.ENDED);
    assertThat(journal.summaries()).isEmpty();
    assertThat(journal.summary("r1")).isEmpty();
  }

  @Test
  void compactionDropsEndedRolloutsAndKeepsASummary() {
    InMemoryJournal journal = InMemoryJournal.compactingEndedRollouts();
    journal.append(rec("done", "svc", Type.CREATED, 0));
    journal.append(rec("open", "other", Type.CREATED, 1));
    journal.append(rec("done", "svc", Type.STATE, 2));
    journal.append(
        JournalRecord.of(
            T0.plusSeconds(9), "done", "svc", Type.ENDED, null, "{\"state\":\"SUCCEEDED\"}"));
    journal.append(rec("open", "other", Type.STATE, 10));

    assertThat(journal.records("done")).isEmpty();
    assertThat(journal.records("open")).extracting(JournalRecord::sequence).containsExactly(2L, 5L);
    List<JournalRecord> replayed = new ArrayList<>();
    journal.replay(0, replayed::add);
    assertThat(replayed).extracting(JournalRecord::rolloutId).containsExactly("open", "open");
    assertThat(journal.size()).isEqualTo(2);
    assertThat(journal.lastSequence()).isEqualTo(5);
    assertThat(journal.summary("done"))
        .contains(
            new InMemoryJournal.Summary(
                "done", "svc", T0, T0.plusSeconds(9), 1, 4, 3, "{\"state\":\"SUCCEEDED\"}"));
    assertThat(journal.summaries()).hasSize(1);
  }

  @Test
  void compactionKeepsMemoryBoundedOverManyRollouts() {
    InMemoryJournal journal = InMemoryJournal.compactingEndedRollouts();
    for (int r = 0; r < 2_000; r++) {
      String id = "r" + r;
      journal.append(rec(id, "svc", Type.CREATED, 0));
      for (int i = 0; i < 20; i++) {
        journal.append(rec(id, "svc", Type.STATE, i));
      }
      journal.append(rec(id, "svc", Type.ENDED, 30));
    }
    assertThat(journal.size()).isZero();
    assertThat(journal.summaries()).hasSize(2_000);
    assertThat(journal.lastSequence()).isEqualTo(2_000 * 22);
  }

  @Test
  void anEndedRolloutTakesNoMoreRecordsInEitherMode() {
    for (InMemoryJournal journal :
        List.of(InMemoryJournal.create(), InMemoryJournal.compactingEndedRollouts())) {
      journal.append(rec("r1", "svc", Type.CREATED, 0));
      journal.append(rec("r1", "svc", Type.ENDED, 1));
      long before = journal.lastSequence();
      assertThatThrownBy(() -> journal.append(rec("r1", "svc", Type.STATE, 2)))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("record.rolloutId")
          .hasMessageContaining("ended at sequence 2")
          .hasMessageContaining("new id");
      assertThat(journal.lastSequence()).isEqualTo(before);
    }
  }

  @Test
  void refusesARecordThatChangesItsRolloutsService() {
    InMemoryJournal journal = InMemoryJournal.create();
    journal.append(rec("r1", "checkout", Type.CREATED, 0));
    assertThatThrownBy(() -> journal.append(rec("r1", "payments", Type.STATE, 1)))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("record.service")
        .hasMessageContaining("'checkout'");
    assertThat(journal.records("r1")).hasSize(1);
    assertThat(journal.lastSequence()).isEqualTo(1);
  }

  @Test
  void refusesARecordThatAlreadyHasASequence() {
    InMemoryJournal journal = InMemoryJournal.create();
    JournalRecord stored = journal.append(rec("r1", "svc", Type.CREATED, 0));
    assertThatThrownBy(() -> journal.append(stored))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("record.sequence")
        .hasMessageContaining("JournalRecord.of");
    assertThat(journal.size()).isEqualTo(1);
  }

  @Test
  void afterCloseWritesFailButReadsWork() {
    InMemoryJournal journal = InMemoryJournal.create();
    journal.append(rec("r1", "svc", Type.CREATED, 0));
    journal.tryLease("svc", "r1");
    journal.close();
    journal.close(); // idempotent

    assertThat(journal.isClosed()).isTrue();
    assertThatThrownBy(() -> journal.append(rec("r1", "svc", Type.STATE, 1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> journal.tryLease("svc2", "r2"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(journal.records("r1")).hasSize(1);
    assertThat(journal.leaseHolder("svc")).contains("r1");
    journal.releaseLease("svc", "r1");
    assertThat(journal.leaseHolder("svc")).isEmpty();
  }

  @Test
  void aConsumerMayAppendWhileReplaying() {
    InMemoryJournal journal = InMemoryJournal.create();
    journal.append(rec("r1", "svc", Type.CREATED, 0));
    journal.append(rec("r1", "svc", Type.STATE, 1));
    List<Long> seen = new ArrayList<>();
    journal.replay(
        1,
        r -> {
          seen.add(r.sequence());
          journal.append(rec("r2", "svc", Type.CREATED, 2));
        });
    assertThat(seen).containsExactly(1L, 2L); // the replay is a snapshot
    assertThat(journal.lastSequence()).isEqualTo(4);
  }
}
