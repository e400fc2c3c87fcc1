// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.plan.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.Digest;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.MutableReferenceException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.plan.Plan;
import io.cutover.api.plan.Step;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The Jackson side of {@code io.cutover.core.plan.PlanJson}: plans to and from trees, so the engine
 * can embed a plan in a journal payload. Internal, so Jackson types stay out of the public API; the
 * format is documented on {@code PlanJson}.
 */
public final class PlanTrees {
  /** The format marker written to and required in every document. */
  public static final String FORMAT = "cutover.plan/v1";

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();
  private static final ObjectWriter WRITER;

  static {
    DefaultIndenter lf = new DefaultIndenter("  ", "\n");
    WRITER = MAPPER.writer(new DefaultPrettyPrinter().withObjectIndenter(lf).withArrayIndenter(lf));
  }

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final Set<String> PLAN_FIELDS =
      Set.of("format", "strategy", "service", "stable", "target", "steps", "rollback");
  private static final Set<String> RELEASE_FIELDS =
      Set.of("id", "service", "artifact", "config", "label");
  private static final Set<String> SPLIT_FIELDS = Set.of("weights", "rules", "mirror");
  private static final Set<String> RULE_FIELDS = Set.of("kind", "name", "value", "releaseId");
  private static final Set<String> MIRROR_FIELDS = Set.of("releaseId", "basisPoints");
  private static final List<String> KINDS =
      List.of(
          "launch", "route", "verify", "pause", "hook", "retire", "scale", "drain", "migration");

  private PlanTrees() {}

  /** The plan as pretty-printed JSON ({@code PlanJson.toJson}). */
  public static String toJson(Plan plan) {
    try {
      return WRITER.writeValueAsString(toTree(plan));
    } catch (JsonProcessingException e) {
      // A tree of plain nodes always serializes; reaching this is a bug in Jackson or here.
      throw new IllegalStateException("could not write a plan tree", e);
    }
  }

  /** The plan as a Jackson tree, e.g. to embed it in another document. */
  public static ObjectNode toTree(Plan plan) {
    ObjectNode root = F.objectNode();
    root.put("format", FORMAT);
    root.put("strategy", plan.strategy());
    root.put("service", plan.service());
    Release stable = plan.stable();
    root.set("stable", stable == null ? F.nullNode() : release(stable));
    root.set("target", release(plan.target()));
    root.set("steps", steps(plan.steps()));
    root.set("rollback", steps(plan.rollbackSteps()));
    return root;
  }

  /**
   * A release as plans write it ({@code id}, {@code service}, {@code artifact}, {@code config},
   * {@code label}).
   */
  public static ObjectNode releaseTree(Release r) {
    return release(r);
  }

  /**
   * Reads a release written by {@link #releaseTree}.
   *
   * @throws InvalidSpecException naming what is wrong, under {@code path}
   */
  public static Release releaseFromTree(JsonNode json, String path) {
    TreeReader r = new TreeReader();
    Release release = release(r, json, path);
    r.throwIfFailed();
    if (release == null) {
      throw new InvalidSpecException(path, "is not a release", "write a release object");
    }
    return release;
  }

  private static ObjectNode release(Release r) {
    ObjectNode n = F.objectNode();
    n.put("id", r.id());
    n.put("service", r.service());
    n.put("artifact", r.artifact().toString());
    n.put("config", r.config().digest().toString());
    n.put("label", r.label());
    return n;
  }

  private static ArrayNode steps(List<Step> steps) {
    ArrayNode a = F.arrayNode();
    for (Step s : steps) {
      a.add(step(s));
    }
    return a;
  }

  private static ObjectNode step(Step step) {
    ObjectNode n = F.objectNode();
    n.put("kind", step.kind());
    if (step instanceof Step.Launch l) {
      n.put("releaseId", l.releaseId());
      n.put("replicas", l.replicas());
    } else if (step instanceof Step.Route r) {
      n.set("split", split(r.split()));
    } else if (step instanceof Step.Verify v) {
      n.set("gates", texts(v.gates()));
      n.set("dryRunGates", texts(v.dryRunGates()));
      n.put("initialDelay", v.initialDelay().toString());
      n.put("interval", v.interval().toString());
      n.put("count", v.count());
      n.put("failureLimit", v.failureLimit());
      n.put("inconclusiveLimit", v.inconclusiveLimit());
      n.put("consecutiveErrorLimit", v.consecutiveErrorLimit());
      n.put("background", v.background());
    } else if (step instanceof Step.Pause p) {
      Duration d = p.duration();
      n.put("duration", d == null ? null : d.toString());
    } else if (step instanceof Step.Hook h) {
      n.put("gate", h.gate());
      n.put("phase", h.phase());
      ObjectNode params = n.putObject("params");
      // Map.copyOf has no order; sorting keeps equal plans byte-identical.
      new TreeMap<>(h.params()).forEach(params::put);
      n.put("interval", h.interval().toString());
      if (!h.deadline().equals(Step.Hook.DEFAULT_DEADLINE)) {
        // written only when set, so plans without warm-up hooks stay byte-identical
        n.put("deadline", h.deadline().toString());
      }
    } else if (step instanceof Step.Migration m) {
      n.put("gate", m.gate());
      n.put("phase", m.phase());
      ObjectNode params = n.putObject("params");
      new TreeMap<>(m.params()).forEach(params::put);
    } else if (step instanceof Step.Retire r) {
      n.put("releaseId", r.releaseId());
    } else if (step instanceof Step.Scale s) {
      n.put("releaseId", s.releaseId());
      n.put("replicas", s.replicas());
    } else if (step instanceof Step.Drain d) {
      n.put("releaseId", d.releaseId());
      n.put("period", d.period().toString());
    }
    return n;
  }

  private static ObjectNode split(TrafficSplit split) {
    ObjectNode n = F.objectNode();
    ObjectNode weights = n.putObject("weights");
    split.weights().forEach(weights::put);
    ArrayNode rules = n.putArray("rules");
    for (TrafficSplit.MatchRule r : split.rules()) {
      ObjectNode rule = rules.addObject();
      rule.put("kind", r.kind().name().toLowerCase(Locale.ROOT));
      rule.put("name", r.name());
      rule.put("value", r.value());
      rule.put("releaseId", r.releaseId());
    }
    TrafficSplit.Mirror m = split.mirror();
    if (m == null) {
      n.putNull("mirror");
    } else {
      n.putObject("mirror").put("releaseId", m.releaseId()).put("basisPoints", m.basisPoints());
    }
    return n;
  }

  private static ArrayNode texts(List<String> values) {
    ArrayNode a = F.arrayNode();
    values.forEach(a::add);
    return a;
  }

  /**
   * Reads a plan ({@code PlanJson.fromJson}).
   *
   * @throws InvalidSpecException listing every problem with its JSON path: syntax, unknown or
   *     missing fields, wrong types, release ids that do not match, and everything the api refuses
   */
  public static Plan fromJson(String json) {
    if (json == null) {
      throw new InvalidSpecException("$", "is null", "pass the JSON text of a plan");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new InvalidSpecException(
          "$",
          "is not valid JSON: "
              + e.getOriginalMessage()
              + (at == null
                  ? ""
                  : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"),
          "fix the JSON syntax");
    }
    return fromTree(root);
  }

  /**
   * Reads a plan from a Jackson tree.
   *
   * @throws InvalidSpecException listing every problem with its JSON path
   */
  // TreeReader returns null only after recording a problem, and the problems() / throwIfFailed()
  // checks
  // stop before such a null reaches a constructor: NullAway cannot see that invariant.
  @SuppressWarnings("NullAway")
  public static Plan fromTree(@Nullable JsonNode root) {
    TreeReader r = new TreeReader();
    if (r.object(root, "$") == null) {
      r.throwIfFailed();
    }
    r.onlyFields(root, "$", PLAN_FIELDS);
    String format = r.text(root, "format", "$");
    if (format != null && !format.equals(FORMAT)) {
      r.problem(
          "$.format", "is \"" + format + "\"", "this reader understands \"" + FORMAT + "\" only");
    }
    String strategy = r.text(root, "strategy", "$");
    JsonNode stableNode = root.get("stable");
    Release stable =
        stableNode == null || stableNode.isNull() ? null : release(r, stableNode, "$.stable");
    Release target = release(r, root.get("target"), "$.target");
    String service = r.optionalText(root, "service", "$");
    if (service != null && target != null && !service.equals(target.service())) {
      r.problem(
          "$.service",
          "is \"" + service + "\" but the target's service is \"" + target.service() + "\"",
          "make them equal, or omit $.service");
    }
    List<Step> steps = steps(r, root, "steps");
    List<Step> rollback = steps(r, root, "rollback");
    r.throwIfFailed();
    Plan plan = r.build("$", "plan", () -> Plan.of(strategy, stable, target, steps, rollback));
    r.throwIfFailed();
    return plan;
  }

  private static @Nullable Release release(TreeReader r, @Nullable JsonNode json, String path) {
    JsonNode node = r.object(json, path);
    if (node == null) {
      return null;
    }
    r.onlyFields(node, path, RELEASE_FIELDS);
    String service = r.text(node, "service", path);
    String artifactText = r.text(node, "artifact", path);
    String configText = r.text(node, "config", path);
    String label = r.optionalText(node, "label", path);
    String id = r.optionalText(node, "id", path);
    ArtifactRef artifact = null;
    if (artifactText != null) {
      try {
        artifact = ArtifactRef.parse(artifactText, path + ".artifact");
      } catch (MutableReferenceException e) {
        r.problem(
            path + ".artifact",
            "is the tag \"" + artifactText + "\", but plans deploy digests only",
            "resolve the tag to repository@sha256:... and write that");
      } catch (InvalidSpecException e) {
        e.violations().forEach(v -> r.problem(v.path(), v.problem(), v.fix()));
      }
    }
    Digest config =
        configText == null
            ? null
            : r.build(
                path + ".config",
                path + ".config",
                () -> Digest.parse(configText, path + ".config"));
    if (service == null || artifact == null || config == null) {
      return null;
    }
    ArtifactRef a = artifact;
    Release release = r.build(path, "release", () -> Release.of(service, a, new ConfigRef(config)));
    if (release == null) {
      return null;
    }
    if (id != null && !id.equals(release.id())) {
      r.problem(
          path + ".id",
          "is \"" + id + "\" but service, artifact and config give \"" + release.id() + "\"",
          "the plan was edited or mixes releases: regenerate it, or fix the id");
      return null;
    }
    return label == null ? release : release.withLabel(label);
  }

  private static List<Step> steps(TreeReader r, JsonNode root, String field) {
    List<Step> out = new ArrayList<>();
    JsonNode array = r.array(root, field, "$");
    if (array == null) {
      return out;
    }
    for (int i = 0; i < array.size(); i++) {
      Step s = step(r, array.get(i), "$." + field + "[" + i + "]");
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  // TreeReader returns null only after recording a problem, and the problems() / throwIfFailed()
  // checks
  // stop before such a null reaches a constructor: NullAway cannot see that invariant.
  @SuppressWarnings("NullAway")
  private static @Nullable Step step(TreeReader r, JsonNode n, String path) {
    if (r.object(n, path) == null) {
      return null;
    }
    String kind = r.text(n, "kind", path);
    if (kind == null) {
      return null;
    }
    if (!KINDS.contains(kind)) {
      r.problem(path + ".kind", "is \"" + kind + "\"", "use one of " + String.join(", ", KINDS));
      return null;
    }
    int before = r.problems();
    return switch (kind) {
      case "launch" -> {
        r.onlyFields(n, path, Set.of("kind", "releaseId", "replicas"));
        String id = r.text(n, "releaseId", path);
        Integer replicas = r.integer(n, "replicas", path, null);
        yield r.problems() > before
            ? null
            : r.build(path, "launch", () -> new Step.Launch(id, replicas));
      }
      case "route" -> {
        r.onlyFields(n, path, Set.of("kind", "split"));
        TrafficSplit split = split(r, n.get("split"), path + ".split");
        yield split == null ? null : new Step.Route(split);
      }
      case "verify" -> verify(r, n, path, before);
      case "pause" -> {
        r.onlyFields(n, path, Set.of("kind", "duration"));
        Duration d = r.duration(n, "duration", path, null);
        yield r.problems() > before ? null : r.build(path, "pause", () -> new Step.Pause(d));
      }
      case "hook" -> {
        r.onlyFields(n, path, Set.of("kind", "gate", "phase", "params", "interval", "deadline"));
        String gate = r.text(n, "gate", path);
        String phase = r.text(n, "phase", path);
        Map<String, String> params = r.textMap(n, "params", path);
        // optional: plans written before issue 12 have no hook interval nor deadline
        Duration interval = r.duration(n, "interval", path, Step.Hook.DEFAULT_INTERVAL);
        Duration deadline = r.duration(n, "deadline", path, Step.Hook.DEFAULT_DEADLINE);
        yield r.problems() > before
            ? null
            : r.build(path, "hook", () -> new Step.Hook(gate, phase, params, interval, deadline));
      }
      case "migration" -> {
        r.onlyFields(n, path, Set.of("kind", "gate", "phase", "params"));
        String gate = r.text(n, "gate", path);
        String phase = r.text(n, "phase", path);
        Map<String, String> params = r.textMap(n, "params", path);
        yield r.problems() > before
            ? null
            : r.build(path, "migration", () -> new Step.Migration(gate, phase, params));
      }
      case "retire" -> {
        r.onlyFields(n, path, Set.of("kind", "releaseId"));
        String id = r.text(n, "releaseId", path);
        yield r.problems() > before ? null : r.build(path, "retire", () -> new Step.Retire(id));
      }
      case "scale" -> {
        r.onlyFields(n, path, Set.of("kind", "releaseId", "replicas"));
        String id = r.text(n, "releaseId", path);
        Integer replicas = r.integer(n, "replicas", path, null);
        yield r.problems() > before
            ? null
            : r.build(path, "scale", () -> new Step.Scale(id, replicas));
      }
      default -> {
        r.onlyFields(n, path, Set.of("kind", "releaseId", "period"));
        String id = r.text(n, "releaseId", path);
        Duration period = r.duration(n, "period", path, Duration.ZERO);
        yield r.problems() > before
            ? null
            : r.build(path, "drain", () -> new Step.Drain(id, period));
      }
    };
  }

  // TreeReader returns null only after recording a problem, and the problems() / throwIfFailed()
  // checks
  // stop before such a null reaches a constructor: NullAway cannot see that invariant.
  @SuppressWarnings("NullAway")
  private static Step.@Nullable Verify verify(TreeReader r, JsonNode n, String path, int before) {
    r.onlyFields(
        n,
        path,
        Set.of(
            "kind",
            "gates",
            "dryRunGates",
            "initialDelay",
            "interval",
            "count",
            "failureLimit",
            "inconclusiveLimit",
            "consecutiveErrorLimit",
            "background"));
    List<String> gates = r.textList(n, "gates", path);
    List<String> dryRun = r.textList(n, "dryRunGates", path);
    Duration initialDelay = r.duration(n, "initialDelay", path, Duration.ZERO);
    Duration interval = r.duration(n, "interval", path, Duration.ZERO);
    Integer count = r.integer(n, "count", path, 1);
    Integer failureLimit = r.integer(n, "failureLimit", path, 0);
    Integer inconclusiveLimit = r.integer(n, "inconclusiveLimit", path, 0);
    Integer errorLimit =
        r.integer(n, "consecutiveErrorLimit", path, Step.Verify.DEFAULT_CONSECUTIVE_ERROR_LIMIT);
    Boolean background = r.bool(n, "background", path, false);
    if (r.problems() > before) {
      return null;
    }
    return r.build(
        path,
        "verify",
        () ->
            new Step.Verify(
                gates,
                dryRun,
                initialDelay,
                interval,
                count,
                failureLimit,
                inconclusiveLimit,
                errorLimit,
                background));
  }

  private static @Nullable TrafficSplit split(TreeReader r, @Nullable JsonNode node, String path) {
    JsonNode n = r.object(node, path);
    if (n == null) {
      return null;
    }
    int before = r.problems();
    r.onlyFields(n, path, SPLIT_FIELDS);
    TrafficSplit.Builder b = TrafficSplit.builder();
    JsonNode weights = r.object(n.get("weights"), path + ".weights");
    if (weights != null) {
      weights
          .fieldNames()
          .forEachRemaining(
              id -> {
                Integer w = r.integer(weights, id, path + ".weights", null);
                if (w != null) {
                  r.build(path + ".weights", "split.weights", () -> b.weight(id, w));
                }
              });
    }
    JsonNode rules = n.get("rules");
    if (rules != null && !rules.isNull()) {
      if (!rules.isArray()) {
        r.problem(
            path + ".rules",
            "is " + TreeReader.describe(rules) + ", not an array",
            "write an array of rules");
      } else {
        for (int i = 0; i < rules.size(); i++) {
          TrafficSplit.MatchRule rule = rule(r, rules.get(i), path + ".rules[" + i + "]");
          if (rule != null) {
            b.rule(rule);
          }
        }
      }
    }
    JsonNode mirror = n.get("mirror");
    if (mirror != null && !mirror.isNull() && r.object(mirror, path + ".mirror") != null) {
      String mp = path + ".mirror";
      r.onlyFields(mirror, mp, MIRROR_FIELDS);
      String id = r.text(mirror, "releaseId", mp);
      Integer bp = r.integer(mirror, "basisPoints", mp, null);
      if (id != null && bp != null) {
        TrafficSplit.Mirror m = r.build(mp, "split.mirror", () -> new TrafficSplit.Mirror(id, bp));
        if (m != null) {
          b.mirror(m);
        }
      }
    }
    if (r.problems() > before) {
      return null;
    }
    return r.build(path, "split", b::build);
  }

  // TreeReader returns null only after recording a problem, and the problems() / throwIfFailed()
  // checks
  // stop before such a null reaches a constructor: NullAway cannot see that invariant.
  @SuppressWarnings("NullAway")
  private static TrafficSplit.@Nullable MatchRule rule(TreeReader r, JsonNode n, String path) {
    if (r.object(n, path) == null) {
      return null;
    }
    int before = r.problems();
    r.onlyFields(n, path, RULE_FIELDS);
    String kind = r.text(n, "kind", path);
    String name = r.text(n, "name", path);
    JsonNode valueNode = n.get("value");
    String value = valueNode != null && valueNode.isTextual() ? valueNode.textValue() : null;
    if (value == null) {
      r.problem(
          path + ".value",
          "is " + TreeReader.describe(valueNode) + ", not a string",
          "give the exact value to match as a string");
    }
    String releaseId = r.text(n, "releaseId", path);
    TrafficSplit.MatchRule.Kind k = null;
    if (kind != null) {
      try {
        k = TrafficSplit.MatchRule.Kind.valueOf(kind.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        r.problem(path + ".kind", "is \"" + kind + "\"", "use \"header\" or \"cookie\"");
      }
    }
    if (r.problems() > before) {
      return null;
    }
    TrafficSplit.MatchRule.Kind kk = k;
    return r.build(
        path, "split.rules", () -> new TrafficSplit.MatchRule(kk, name, value, releaseId));
  }
}
