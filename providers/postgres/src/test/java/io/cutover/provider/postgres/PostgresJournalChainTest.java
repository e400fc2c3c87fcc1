// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ProviderException;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.JournalRecord.Type;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The hash chain, compaction into history, and tamper evidence of the PostgreSQL journal. */
class PostgresJournalChainTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static PostgresJournal open(String schema) {
    return SharedPostgres.journal(SharedPostgres.server(), schema, "chain").open();
  }

  private static void rollout(PostgresJournal j, String id, String svc, String outcome) {
    j.append(
        JournalRecord.of(T0, id, svc, Type.CREATED, null, "{}")
            .withIndex(Map.of("target", id + "-target")));
    j.append(JournalRecord.of(T0, id, svc, Type.INTENT, id + "/0/route", "{}"));
    j.append(JournalRecord.of(T0, id, svc, Type.DONE, id + "/0/route", "{}"));
    if (outcome != null) {
      j.append(
          JournalRecord.of(T0.plusSeconds(1), id, svc, Type.ENDED, null, "{}")
              .withIndex(Map.of("outcome", outcome)));
    }
  }

  @Test
  @DisplayName(
      "compaction moves ended rollouts into history, keeps open ones and each service's latest"
          + " ended and succeeded, and the chain still verifies")
  void compaction() {
    try (PostgresJournal j = open(SharedPostgres.freshSchema("compact"))) {
      rollout(j, "a", "svc", "succeeded");
      rollout(j, "b", "svc", "aborted");
      rollout(j, "c", "svc", "succeeded");
      rollout(j, "d", "svc", "aborted");
      rollout(j, "open", "svc", null);
      String headBefore = j.headHash();

      assertThat(j.compact())
          .isEqualTo(2); // a and b; c is the latest succeeded, d the latest ended
      assertThat(j.records("a")).isEmpty();
      assertThat(j.records("b")).isEmpty();
      assertThat(j.records("c")).hasSize(4);
      assertThat(j.records("d")).hasSize(4);
      assertThat(j.records("open")).hasSize(3);
      assertThat(j.history("svc"))
          .extracting(RolloutHistory::rolloutId, RolloutHistory::outcome, RolloutHistory::records)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("a", "succeeded", 4),
              org.assertj.core.groups.Tuple.tuple("b", "aborted", 4),
              org.assertj.core.groups.Tuple.tuple("c", "succeeded", 4),
              org.assertj.core.groups.Tuple.tuple("d", "aborted", 4));
      assertThat(j.history("svc").get(0).created().index()).containsEntry("target", "a-target");
      assertThat(j.headHash()).isEqualTo(headBefore);
      assertThat(j.verify()).isEqualTo(19);
      assertThat(j.compact()).isZero();
    }
  }

  @Test
  @DisplayName("every append moves the head hash; a record changed in the database breaks verify")
  void tamperEvidence() throws Exception {
    String schema = SharedPostgres.freshSchema("tamper");
    try (PostgresJournal j = open(schema)) {
      String h0 = j.headHash();
      rollout(j, "x", "svc", null);
      String h1 = j.headHash();
      assertThat(h1).isNotEqualTo(h0).startsWith("sha256:");
      assertThat(j.lastSequence()).isEqualTo(3);
      assertThat(j.verify()).isEqualTo(3);

      JournalRecord forged = JournalRecord.of(T0, "x", "svc", Type.DONE, "x/0/route", "{\"f\":1}");
      try (Connection c = j.dataSource().getConnection();
          PreparedStatement s =
              c.prepareStatement("UPDATE cutover_journal SET body = ? WHERE seq = 3")) {
        s.setBytes(1, io.cutover.provider.postgres.internal.RecordCodec.encode(forged));
        s.executeUpdate();
      }
      assertThatThrownBy(j::verify)
          .isInstanceOf(ProviderException.class)
          .hasMessageContaining("record 3")
          .hasMessageContaining("changed");
    }
  }
}
