// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.api.Release;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Plan;
import io.cutover.core.internal.schema.JournalPayload.Aborting;
import io.cutover.core.internal.schema.JournalPayload.Command;
import io.cutover.core.internal.schema.JournalPayload.CommandKind;
import io.cutover.core.internal.schema.JournalPayload.Created;
import io.cutover.core.internal.schema.JournalPayload.Done;
import io.cutover.core.internal.schema.JournalPayload.EffectKind;
import io.cutover.core.internal.schema.JournalPayload.Ended;
import io.cutover.core.internal.schema.JournalPayload.Failed;
import io.cutover.core.internal.schema.JournalPayload.GateVerdict;
import io.cutover.core.internal.schema.JournalPayload.Intent;
import io.cutover.core.internal.schema.JournalPayload.PauseKind;
import io.cutover.core.internal.schema.JournalPayload.Paused;
import io.cutover.core.internal.schema.JournalPayload.RollbackStep;
import io.cutover.core.internal.schema.JournalPayload.StepState;
import io.cutover.core.internal.schema.JournalPayload.StepStatus;
import io.cutover.core.internal.schema.JournalPayload.Unknown;
import io.cutover.core.plan.internal.PlanTrees;
import io.cutover.spi.JournalRecord;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The one codec of the journal payload schema ({@code docs/journal.md}): {@link JournalPayload} to
 * the JSON a journal stores verbatim, and back.
 *
 * <p><b>Writing</b> assembles the flat payloads directly (one is written per verdict and per
 * effect, on the hot path), with Jackson's encoder escaping strings; the plan inside CREATED goes
 * through the mapper.
 *
 * <p><b>Reading</b> is tolerant in the ways that let the schema grow: unknown fields are ignored, a
 * field an older engine did not write takes its documented default, and a record of a kind this
 * engine does not know (a newer command or state) decodes to {@link Unknown}. What cannot be read
 * at all (not JSON, a CREATED without a readable plan) raises {@link IllegalArgumentException}
 * naming the record.
 *
 * <p>Thread-safe.
 */
public final class JournalCodec {
  /** Prefix of the index keys that hold the annotations of a CREATED record. */
  public static final String ANNOTATION = "annotation.";

  private static final JournalCodec SHARED = new JournalCodec();

  /**
   * The codec every engine uses: it is stateless. Created with this class, i.e. when first asked
   * for (see {@code EngineContext.codec()}).
   */
  public static JournalCodec shared() {
    return SHARED;
  }

  /**
   * Created on first use, not with the codec: building an engine must not load jackson-databind
   * (about 280 classes, the largest part of the first {@code Cutover.builder().build()} in a fresh
   * JVM), and an engine whose journal holds nothing needs it only at its first rollout. Shared: an
   * ObjectMapper without per-use configuration is thread-safe.
   */
  private static final class Mapper {
    static final ObjectMapper INSTANCE = new ObjectMapper();
  }

  /**
   * The record carrying {@code payload} and its {@linkplain #index index} (sequence not yet
   * assigned).
   */
  public JournalRecord record(
      Instant time, String rolloutId, String service, JournalPayload payload) {
    return new JournalRecord(
        -1,
        time,
        rolloutId,
        service,
        payload.type(),
        operationId(payload),
        encode(payload),
        index(payload));
  }

  /**
   * What a journal may index the record by without reading its payload ({@link
   * JournalRecord#index()}): the summary fields of CREATED and ENDED, nothing for the others.
   */
  public static Map<String, String> index(JournalPayload payload) {
    if (!(payload instanceof Created) && !(payload instanceof Ended)) {
      return Map.of(); // most records: no map to fill and copy
    }
    Map<String, String> out = new LinkedHashMap<>();
    if (payload instanceof Created c) {
      out.put("strategy", c.strategy());
      out.put("target", c.target());
      if (c.stable() != null) {
        out.put("stable", c.stable());
      }
      out.put("artifact", c.artifact());
      out.put("config", c.config());
      out.put("initiator", c.initiator());
      if (c.retryOf() != null) {
        out.put("retryOf", c.retryOf());
      }
      c.annotations().forEach((k, v) -> out.put(ANNOTATION + k, v));
    } else if (payload instanceof Ended e) {
      out.put("outcome", e.succeeded() ? "succeeded" : "aborted");
      out.put("target", e.target());
      if (e.stable() != null) {
        out.put("stable", e.stable());
      }
      if (e.reason() != null) {
        out.put("reason", e.reason());
      }
    }
    return out;
  }

  /** The payload's JSON. */
  public String encode(JournalPayload payload) {
    Json j = new Json();
    if (payload instanceof StepState s) {
      j.num("step", s.step()).str("status", lower(s.status())).str("kind", s.kind());
    } else if (payload instanceof GateVerdict v) {
      j.str("gate", v.gate())
          .str("outcome", v.outcome().name())
          .bool("dryRun", v.dryRun())
          .num("step", v.step())
          .num("measurement", v.measurement())
          .strings("reasons", v.reasons());
    } else if (payload instanceof Intent i) {
      j.str("kind", i.kind().wireName());
    } else if (payload instanceof Done d) {
      j.str("kind", d.kind().wireName());
    } else if (payload instanceof Failed f) {
      j.str("kind", f.kind().wireName()).str("error", f.error());
    } else if (payload instanceof RollbackStep r) {
      j.num("rollbackStep", r.rollbackStep()).str("status", "completed");
    } else if (payload instanceof Paused p) {
      j.str("state", "paused").str("pause", p.pause().name()).str("reason", p.reason());
    } else if (payload instanceof Aborting a) {
      j.str("state", "aborting").str("reason", a.reason());
    } else if (payload instanceof Command c) {
      j.str("command", lower(c.command()).replace('_', '-')).str("by", c.by());
    } else if (payload instanceof Ended e) {
      j.str("outcome", e.succeeded() ? "succeeded" : "aborted").str("target", e.target());
      if (e.stable() != null) {
        j.str("stable", e.stable());
      }
      if (e.reason() != null) {
        j.str("reason", e.reason());
      }
      if (e.revisions() != null) {
        List<Object> trees = new ArrayList<>();
        e.revisions().releases().forEach(r -> trees.add(PlanTrees.releaseTree(r)));
        j.num("revisionHistoryLimit", e.revisions().limit()).raw("revisions", tree(trees));
      }
    } else if (payload instanceof Created c) {
      encodeCreated(j, c);
    } else if (payload instanceof Unknown u) {
      return u.json();
    }
    return j.end();
  }

  private void encodeCreated(Json j, Created c) {
    j.num("schema", c.schema())
        .str("strategy", c.strategy())
        .str("target", c.target())
        .str("artifact", c.artifact())
        .str("config", c.config())
        .nullableStr("stable", c.stable())
        .num("steps", c.steps())
        .str("initiator", c.initiator())
        .nullableStr(
            "progressDeadline",
            c.progressDeadline() == null ? null : c.progressDeadline().toString())
        .bool("skipAnalysis", c.skipAnalysis())
        .raw("annotations", tree(c.annotations()))
        .strings("verification", c.verification())
        .raw("plan", tree(PlanTrees.toTree(c.plan())));
    if (c.retryOf() != null) {
      j.str("retryOf", c.retryOf());
    }
  }

  private String tree(Object value) {
    try {
      return Mapper.INSTANCE.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a journal payload value", e);
    }
  }

  /**
   * Reads a record's payload.
   *
   * @throws IllegalArgumentException if the payload is not JSON, or is a CREATED record without a
   *     readable plan
   */
  public JournalPayload decode(JournalRecord r) {
    JsonNode p;
    try {
      p = Mapper.INSTANCE.readTree(r.payload());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "journal record "
              + r.sequence()
              + " of "
              + r.rolloutId()
              + " has unreadable JSON: "
              + e.getMessage(),
          e);
    }
    if (p == null || !p.isObject()) {
      throw new IllegalArgumentException(
          "journal record " + r.sequence() + " of " + r.rolloutId() + " is not a JSON object");
    }
    String op = r.operationId() == null ? "" : r.operationId();
    return switch (r.type()) {
      case CREATED -> created(r, p);
      case STATE -> state(r, p);
      case COMMAND -> command(r, p);
      case VERDICT ->
          new GateVerdict(
              p.path("gate").asText(),
              outcome(p.path("outcome").asText()),
              p.path("dryRun").asBoolean(false),
              p.path("step").asInt(-1),
              p.path("measurement").asInt(1),
              strings(p.path("reasons")));
      case INTENT -> {
        EffectKind e = effect(p);
        yield e == null ? new Unknown(r.type(), r.payload()) : new Intent(op, e);
      }
      case DONE -> {
        EffectKind e = effect(p);
        yield e == null ? new Unknown(r.type(), r.payload()) : new Done(op, e);
      }
      case FAILED -> {
        EffectKind e = effect(p);
        yield e == null
            ? new Unknown(r.type(), r.payload())
            : new Failed(op, e, p.path("error").asText(""));
      }
      case ENDED ->
          new Ended(
              "succeeded".equals(p.path("outcome").asText()),
              p.path("target").asText(""),
              text(p, "stable"),
              text(p, "reason"),
              revisions(r, p));
    };
  }

  /**
   * The revisions of an ENDED record; null when it has none (older engines, aborted rollouts) or
   * they cannot be read, in which case recovery rebuilds the history from the plans as before.
   */
  private static JournalPayload.@Nullable Revisions revisions(JournalRecord r, JsonNode p) {
    JsonNode list = p.get("revisions");
    if (list == null || !list.isArray()) {
      return null;
    }
    try {
      List<Release> out = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        out.add(PlanTrees.releaseFromTree(list.get(i), "$.revisions[" + i + "]"));
      }
      return new JournalPayload.Revisions(
          Math.max(1, p.path("revisionHistoryLimit").asInt(1)), out);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The CREATED payload of a record, or an exception saying why it cannot be read. */
  public Created created(JournalRecord r) {
    if (r.type() != JournalRecord.Type.CREATED) {
      throw new IllegalArgumentException(
          "journal record "
              + r.sequence()
              + " of "
              + r.rolloutId()
              + " is "
              + r.type()
              + ", not CREATED");
    }
    return (Created) decode(r);
  }

  private Created created(JournalRecord r, JsonNode p) {
    Plan plan;
    try {
      plan = PlanTrees.fromTree(p.get("plan"));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "the CREATED record of " + r.rolloutId() + " has no readable plan: " + e.getMessage(), e);
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    p.path("annotations")
        .properties()
        .forEach(f -> annotations.put(f.getKey(), f.getValue().asText()));
    String deadline = text(p, "progressDeadline");
    return new Created(
        p.path("schema").asInt(1),
        textOr(p, "strategy", plan.strategy()),
        textOr(p, "target", plan.target().id()),
        textOr(p, "artifact", plan.target().artifact().toString()),
        textOr(p, "config", plan.target().config().digest().toString()),
        p.has("stable") ? text(p, "stable") : plan.stable() == null ? null : plan.stable().id(),
        p.path("steps").asInt(plan.steps().size()),
        textOr(p, "initiator", "api"),
        deadline == null ? null : Duration.parse(deadline),
        p.path("skipAnalysis").asBoolean(false),
        annotations,
        strings(p.path("verification")),
        plan,
        text(p, "retryOf"));
  }

  private static JournalPayload state(JournalRecord r, JsonNode p) {
    if (p.has("step")) {
      String status = p.path("status").asText();
      // Any status but "started" means the step is behind the rollout (as older engines read it).
      StepStatus s =
          status.equals("started")
              ? StepStatus.STARTED
              : status.equals("skipped") ? StepStatus.SKIPPED : StepStatus.COMPLETED;
      return new StepState(p.get("step").asInt(), s, p.path("kind").asText(""));
    }
    if (p.has("rollbackStep")) {
      return new RollbackStep(p.get("rollbackStep").asInt());
    }
    String state = p.path("state").asText();
    if (state.equals("paused")) {
      return new Paused(
          PauseKind.valueOf(p.path("pause").asText("MANUAL")), p.path("reason").asText());
    }
    if (state.equals("aborting")) {
      return new Aborting(p.path("reason").asText());
    }
    return new Unknown(r.type(), r.payload());
  }

  private static JournalPayload command(JournalRecord r, JsonNode p) {
    String by = p.path("by").asText("");
    return switch (p.path("command").asText()) {
      case "pause" -> new Command(CommandKind.PAUSE, by);
      case "resume" -> new Command(CommandKind.RESUME, by);
      case "promote" -> new Command(CommandKind.PROMOTE, by);
      case "promote-step" -> new Command(CommandKind.PROMOTE_STEP, by);
      default -> new Unknown(r.type(), r.payload());
    };
  }

  private static @Nullable EffectKind effect(JsonNode p) {
    String kind = p.path("kind").asText();
    for (EffectKind k : EffectKind.values()) {
      if (k.wireName().equals(kind)) {
        return k;
      }
    }
    return null;
  }

  private static Verdict.Outcome outcome(String s) {
    try {
      return Verdict.Outcome.valueOf(s);
    } catch (IllegalArgumentException e) {
      return Verdict.Outcome.ERROR;
    }
  }

  private static @Nullable String operationId(JournalPayload p) {
    if (p instanceof Intent i) {
      return i.operationId();
    }
    if (p instanceof Done d) {
      return d.operationId();
    }
    if (p instanceof Failed f) {
      return f.operationId();
    }
    return null;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>(array.size());
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static @Nullable String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isValueNode() && !v.isNull() ? v.asText() : null;
  }

  private static String textOr(JsonNode n, String field, String fallback) {
    String s = text(n, field);
    return s == null ? fallback : s;
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /** A JSON object written field by field. */
  private static final class Json {
    /**
     * Here rather than in the codec: the codec is created with the engine, and jackson-core's
     * encoder tables are needed only when the first record is written.
     */
    private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();

    private final StringBuilder sb = new StringBuilder(96).append('{');

    private Json key(String name) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      quote(name);
      sb.append(':');
      return this;
    }

    Json str(String name, String value) {
      key(name).quote(value);
      return this;
    }

    Json nullableStr(String name, @Nullable String value) {
      if (value == null) {
        key(name).sb.append("null");
        return this;
      }
      return str(name, value);
    }

    Json num(String name, long value) {
      key(name).sb.append(value);
      return this;
    }

    Json bool(String name, boolean value) {
      key(name).sb.append(value);
      return this;
    }

    Json strings(String name, List<String> values) {
      key(name).sb.append('[');
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        quote(values.get(i));
      }
      sb.append(']');
      return this;
    }

    Json raw(String name, String json) {
      key(name).sb.append(json);
      return this;
    }

    private Json quote(String s) {
      sb.append('"');
      ENCODER.quoteAsString(s, sb);
      sb.append('"');
      return this;
    }

    String end() {
      return sb.append('}').toString();
    }
  }
}
