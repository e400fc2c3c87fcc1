// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.api.Verdict;
import io.cutover.api.rollout.RolloutState;
import io.cutover.core.internal.schema.JournalCodec;
import io.cutover.core.internal.schema.JournalPayload;
import io.cutover.spi.JournalRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The journal payload schema against records written by the engine before the schema had a codec
 * ({@code journal-fixtures/v1-records.jsonl}, see testkit's {@code journal-fixtures/README.md}):
 * every record decodes to its typed payload, re-encodes to the same JSON, and folds into the state
 * the engine had when it stopped.
 */
class JournalSchemaV1Test {
  static final ObjectMapper JSON = new ObjectMapper();
  final JournalCodec codec = new JournalCodec();

  static List<JournalRecord> fixture() throws IOException {
    List<JournalRecord> out = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                Objects.requireNonNull(
                    JournalSchemaV1Test.class.getResourceAsStream(
                        "/journal-fixtures/v1-records.jsonl")),
                StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        JsonNode n = JSON.readTree(line);
        out.add(
            new JournalRecord(
                n.get("sequence").asLong(),
                Instant.parse(n.get("time").asText()),
                n.get("rolloutId").asText(),
                n.get("service").asText(),
                JournalRecord.Type.valueOf(n.get("type").asText()),
                n.get("operationId").isNull() ? null : n.get("operationId").asText(),
                n.get("payload").asText()));
      }
    }
    return out;
  }

  static List<JournalRecord> of(List<JournalRecord> records, String rolloutId) {
    return records.stream().filter(r -> r.rolloutId().equals(rolloutId)).toList();
  }

  @Test
  @DisplayName(
      "every record of a v1 journal decodes to a typed payload and re-encodes to the same JSON")
  void roundTrip() throws IOException {
    List<JournalRecord> records = fixture();
    assertThat(records).hasSize(74);
    for (JournalRecord r : records) {
      JournalPayload p = codec.decode(r);
      assertThat(p).as("record %s", r.sequence()).isNotInstanceOf(JournalPayload.Unknown.class);
      assertThat(p.type()).isEqualTo(r.type());
      JsonNode original = JSON.readTree(r.payload());
      ObjectNode again = (ObjectNode) JSON.readTree(codec.encode(p));
      if (p instanceof JournalPayload.Created c) {
        assertThat(c.schema()).as("v1 records carry no schema field").isEqualTo(1);
        assertThat(again.remove("schema").asInt()).isEqualTo(JournalPayload.SCHEMA_VERSION);
      }
      assertThat(again).as("record %s", r.sequence()).isEqualTo(original);
      JournalRecord rewritten = codec.record(r.time(), r.rolloutId(), r.service(), p);
      assertThat(rewritten.operationId()).isEqualTo(r.operationId());
    }
  }

  @Test
  @DisplayName("the CREATED record of a v1 journal gives back the plan, options and evidence")
  void created() throws IOException {
    JournalPayload.Created c = codec.created(of(fixture(), "orders-mjuohs00-1").get(0));
    assertThat(c.strategy()).isEqualTo("blue-green");
    assertThat(c.initiator()).isEqualTo("ci-pipeline-7");
    assertThat(c.annotations()).containsEntry("ticket", "CHG-1");
    assertThat(c.progressDeadline()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.plan().target().id()).isEqualTo(c.target());
    assertThat(c.plan().stable()).isNotNull();
    assertThat(c.plan().stable().id()).isEqualTo(c.stable());
    assertThat(c.steps()).isEqualTo(c.plan().steps().size());
  }

  @Test
  @DisplayName(
      "an open rollout in the middle of its analysis folds into its step, its verdicts and its pending pause")
  void foldsAnalysis() throws IOException {
    JournalFold.Recovered r = JournalFold.fold(of(fixture(), "payments-mjuoimv4-3"), codec);
    assertThat(r.state()).isEqualTo(RolloutState.PROGRESSING);
    assertThat(r.stepIndex()).isEqualTo(3);
    assertThat(r.stepCompleted()).isFalse();
    assertThat(r.manualPauseRequested()).isTrue();
    assertThat(r.promoted()).isFalse();
    assertThat(r.verdictsOf(3)).hasSize(8);
    assertThat(r.verdictsOf(3))
        .filteredOn(v -> !v.verdict().dryRun())
        .extracting(v -> v.verdict().measurement())
        .containsExactly(1, 2, 3, 4);
    assertThat(r.verdictsOf(3))
        .filteredOn(v -> v.verdict().dryRun())
        .allSatisfy(v -> assertThat(v.verdict().outcome()).isEqualTo(Verdict.Outcome.INCONCLUSIVE));
    assertThat(r.verdictsOf(1)).as("the background analysis").isNotEmpty();
    assertThat(r.startedAt(3, Instant.EPOCH)).isEqualTo(Instant.parse("2026-01-01T00:00:40Z"));
    assertThat(r.doneOps())
        .contains("payments-mjuoimv4-3/s0/launch", "payments-mjuoimv4-3/s2/route");
  }

  @Test
  @DisplayName("a rollout waiting for approval folds into PAUSED with its reason")
  void foldsApproval() throws IOException {
    JournalFold.Recovered r = JournalFold.fold(of(fixture(), "search-mjuolygo-4"), codec);
    assertThat(r.state()).isEqualTo(RolloutState.PAUSED);
    assertThat(r.pause()).isEqualTo(JournalPayload.PauseKind.APPROVAL);
    assertThat(r.reason()).isEqualTo("waiting for approval");
    assertThat(r.stepIndex()).isEqualTo(2);
  }

  @Test
  @DisplayName("an aborted rollout's records fold into ABORTING with its completed rollback steps")
  void foldsAbort() throws IOException {
    List<JournalRecord> billing = of(fixture(), "billing-mjuoimv4-2");
    JournalFold.Recovered r = JournalFold.fold(billing.subList(0, billing.size() - 2), codec);
    assertThat(r.state()).isEqualTo(RolloutState.ABORTING);
    assertThat(r.reason()).startsWith("analysis failed: gate errors failed 1 time(s)");
    assertThat(r.rollbackCompleted()).isZero();
    JournalPayload ended = codec.decode(billing.get(billing.size() - 1));
    assertThat(ended)
        .isInstanceOfSatisfying(
            JournalPayload.Ended.class,
            e -> {
              assertThat(e.succeeded()).isFalse();
              assertThat(e.reason()).startsWith("analysis failed");
            });
  }

  @Test
  @DisplayName(
      "fields added by a later engine are ignored, and a record kind it added decodes as Unknown")
  void laterFields() {
    JournalRecord step =
        JournalRecord.of(
            Instant.EPOCH,
            "r",
            "s",
            JournalRecord.Type.STATE,
            null,
            "{\"step\":2,\"status\":\"started\",\"kind\":\"route\",\"attempt\":3,\"by\":{\"replica\":\"b\"}}");
    assertThat(codec.decode(step))
        .isEqualTo(new JournalPayload.StepState(2, JournalPayload.StepStatus.STARTED, "route"));
    JournalRecord verdict =
        JournalRecord.of(
            Instant.EPOCH,
            "r",
            "s",
            JournalRecord.Type.VERDICT,
            null,
            "{\"gate\":\"g\",\"outcome\":\"FAIL\",\"step\":1}");
    assertThat(codec.decode(verdict))
        .isEqualTo(
            new JournalPayload.GateVerdict("g", Verdict.Outcome.FAIL, false, 1, 1, List.of()));
    JournalRecord command =
        JournalRecord.of(
            Instant.EPOCH,
            "r",
            "s",
            JournalRecord.Type.COMMAND,
            null,
            "{\"command\":\"hold\",\"by\":\"api\"}");
    assertThat(codec.decode(command)).isInstanceOf(JournalPayload.Unknown.class);
  }

  @Test
  @DisplayName("a payload that is not JSON is refused with the record and rollout named")
  void unreadable() {
    JournalRecord bad =
        new JournalRecord(7, Instant.EPOCH, "r-1", "s", JournalRecord.Type.STATE, null, "{oops");
    assertThatThrownBy(() -> codec.decode(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("journal record 7 of r-1");
  }
}
