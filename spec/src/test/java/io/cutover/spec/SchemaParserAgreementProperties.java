// SPDX-License-Identifier: Apache-2.0
package io.cutover.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The JSON Schema and the parser agree: a spec is schema-valid if and only if {@link
 * CutoverSpec#parse} accepts it. Checked on generated valid specs of every strategy, and on those
 * specs after one structural mutation (an unknown key, a removed key, a value of another JSON
 * type). The generator stays inside the rules the schema cannot express (weights that never
 * decrease, gate names that are defined, maxWeight at least stepWeight), and removal never touches
 * the gate and metric source definitions that others refer to by name; everything else is fair
 * game, for every seed.
 */
class SchemaParserAgreementProperties {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> GATES = List.of("g1", "g2", "g3");
  private static final List<String> DURATIONS =
      List.of("0s", "250ms", "30s", "1m", "5m", "1m30s", "2h", "1d");
  private static final List<String> POSITIVE = DURATIONS.subList(1, DURATIONS.size());

  @Property
  void generatedSpecsAreSchemaValidAndParse(@ForAll long seed) {
    ObjectNode spec = generate(new Random(seed));
    assertThat(SpecSchema.validate(spec)).as(spec.toPrettyString()).isEmpty();
    assertThat(parses(spec)).as(spec.toPrettyString()).isNull();
  }

  @Property
  void aMutatedSpecIsSchemaValidIffItParses(@ForAll long seed) {
    Random r = new Random(seed);
    ObjectNode spec = generate(r);
    String mutation = mutate(spec, r);
    boolean schemaValid = SpecSchema.validate(spec).isEmpty();
    String parseError = parses(spec);
    assertThat(parseError == null)
        .as(
            "%s%nschema: %s%nparser: %s%n%s",
            mutation, SpecSchema.validate(spec), parseError, spec.toPrettyString())
        .isEqualTo(schemaValid);
  }

  /** Null if the spec parses, else the parser's message. */
  private static String parses(JsonNode spec) {
    try {
      CutoverSpec.parse(SpecSchema.YAML.writeValueAsString(spec), "generated.yaml");
      return null;
    } catch (SpecException e) {
      return e.getMessage();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- generation ------------------------------------------------------------------------------

  static ObjectNode generate(Random r) {
    ObjectNode spec = JSON.createObjectNode();
    spec.put("apiVersion", "cutover.io/v1");
    spec.put("service", pick(r, List.of("checkout", "a", "pay-2", "x9")));
    boolean tag = r.nextBoolean();
    ObjectNode artifact = spec.putObject("artifact");
    if (tag) {
      artifact.put("tag", "registry.example.com/shop/checkout:1." + r.nextInt(10));
    } else {
      artifact.put(
          "digest",
          "registry.example.com/shop/checkout@sha256:"
              + "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae");
    }
    if (r.nextBoolean()) {
      ObjectNode config = spec.putObject("config");
      if (r.nextBoolean()) {
        config.putObject("values").put("LOG_LEVEL", "info").put("PORT", "8080");
      }
      if (r.nextBoolean()) {
        config.putObject("secrets").put("DB_PASSWORD", "checkout/db-password");
      }
    }
    int replicas = 1 + r.nextInt(8);
    spec.put("replicas", replicas);
    ObjectNode strategy = spec.putObject("strategy");
    switch (r.nextInt(5)) {
      case 0 -> strategy.set("canary", canary(r, replicas));
      case 1 -> strategy.set("blueGreen", blueGreen(r));
      case 2 -> strategy.set("linear", linear(r));
      case 3 -> strategy.set("rolling", rolling(r));
      default -> strategy.set("recreate", recreate(r));
    }
    spec.putObject("metrics")
        .putObject("prom")
        .put("type", "prometheus")
        .put("url", "http://p:9090");
    ObjectNode gates = spec.putObject("gates");
    gates.putObject("g1").put("type", "fixed");
    gates.putObject("g2").put("type", "fixed").put("verdict", "pass");
    gates
        .putObject("g3")
        .put("type", "threshold")
        .put("source", "prom")
        .put("builtin", "success-rate")
        .put("threshold", 0.99);
    if (r.nextInt(3) == 0) {
      spec.set("hooks", hooks(r));
    }
    ObjectNode providers = spec.putObject("providers");
    providers.putObject("fleet").put("type", "fake");
    providers.putObject("router").put("type", "fake").put("socket", "/run/haproxy.sock");
    if (tag || r.nextBoolean()) {
      providers.putObject("store").put("type", "memory");
    }
    if (r.nextBoolean()) {
      providers.putObject("journal").put("type", "file").put("directory", "/var/lib/cutover");
    }
    if (r.nextBoolean()) {
      ObjectNode options = spec.putObject("options");
      if (r.nextBoolean()) {
        options.put("progressDeadline", pick(r, POSITIVE));
      }
      if (r.nextBoolean()) {
        options.put("initiator", "ci");
      }
      if (r.nextBoolean()) {
        options.putObject("annotations").put("ticket", "CHG-1");
      }
      if (r.nextBoolean()) {
        options.put("historyLimit", 1 + r.nextInt(50));
      }
      if (r.nextBoolean()) {
        options.put("revisionHistoryLimit", 1 + r.nextInt(5));
      }
    }
    return spec;
  }

  private static ObjectNode hooks(Random r) {
    ObjectNode h = JSON.createObjectNode();
    for (String phase :
        List.of(
            "confirmRollout",
            "preRollout",
            "rollout",
            "confirmTrafficIncrease",
            "confirmPromotion",
            "postRollout",
            "rollback",
            "event")) {
      if (r.nextInt(3) == 0) {
        // distinct gates per phase: the schema's uniqueItems, the parser's "once per phase"
        ArrayNode gates = h.putArray(phase);
        List<String> shuffled = new ArrayList<>(GATES);
        Collections.shuffle(shuffled, r);
        shuffled.subList(0, 1 + r.nextInt(GATES.size())).forEach(gates::add);
      }
    }
    if (r.nextBoolean()) {
      h.put("interval", pick(r, POSITIVE));
    }
    if (r.nextInt(3) == 0) {
      ObjectNode m = h.putArray("migrations").addObject().put("gate", pick(r, GATES));
      if (r.nextBoolean()) {
        m.putObject("params").put("version", "42");
      }
    }
    return h;
  }

  private static ObjectNode canary(Random r, int replicas) {
    ObjectNode c = JSON.createObjectNode();
    ArrayNode steps = c.putArray("steps");
    int n = 1 + r.nextInt(6);
    int weight = r.nextInt(30);
    boolean hasWeight = false;
    for (int i = 0; i < n; i++) {
      ObjectNode step = steps.addObject();
      switch (i == 0 ? 0 : r.nextInt(7)) {
        case 0 -> {
          weight = Math.min(100, weight + r.nextInt(40));
          step.put("setWeight", weight);
          hasWeight = true;
        }
        case 1 -> step.put("pause", r.nextInt(3) == 0 ? "untilApproved" : pick(r, POSITIVE));
        case 2 -> step.set("analysis", analysis(r, false));
        case 3 -> {
          ObjectNode s = step.putObject("setCanaryScale");
          switch (r.nextInt(3)) {
            case 0 -> s.put("replicas", 1 + r.nextInt(replicas));
            case 1 -> s.put("percent", 1 + r.nextInt(100));
            default -> s.put("matchTrafficWeight", true);
          }
        }
        case 4 ->
            // a distinct value per step: the parser refuses a repeated header route
            step.putObject("setHeaderRoute")
                .put("header", pick(r, List.of("X-Canary", "x-beta", "Cookie")))
                .put("value", "v" + i);
        case 5 -> step.putObject("setMirrorRoute").put("percent", 1 + r.nextInt(100));
        default -> {
          weight = Math.min(100, weight + r.nextInt(40));
          step.put("setWeight", weight);
        }
      }
    }
    assertThat(hasWeight).isTrue();
    if (r.nextBoolean()) {
      ObjectNode bg = analysis(r, true);
      if (r.nextBoolean()) {
        bg.put("startingStep", r.nextInt(n));
      }
      c.set("backgroundAnalysis", bg);
    }
    if (r.nextBoolean()) {
      c.put("scaleDownDelay", pick(r, DURATIONS));
    }
    return c;
  }

  private static ObjectNode blueGreen(Random r) {
    ObjectNode b = JSON.createObjectNode();
    if (r.nextBoolean()) {
      b.putObject("preview")
          .put("kind", r.nextBoolean() ? "header" : "cookie")
          .put("name", "x-preview")
          .put("value", "1");
    }
    if (r.nextBoolean()) {
      b.put("previewReplicas", 1 + r.nextInt(4));
    }
    if (r.nextBoolean()) {
      b.set("prePromotionAnalysis", analysis(r, false));
    }
    if (r.nextBoolean()) {
      b.set("postPromotionAnalysis", analysis(r, false));
    }
    Boolean auto = r.nextBoolean() ? r.nextBoolean() : null;
    if (auto != null) {
      b.put("autoPromotion", auto);
    }
    if (!Boolean.FALSE.equals(auto) && r.nextBoolean()) {
      b.put("autoPromotionDelay", pick(r, POSITIVE));
    }
    if (r.nextBoolean()) {
      b.put("scaleDownDelay", pick(r, DURATIONS));
    }
    return b;
  }

  private static ObjectNode linear(Random r) {
    ObjectNode l = JSON.createObjectNode();
    if (r.nextBoolean()) {
      int step = 1 + r.nextInt(100);
      l.put("stepWeight", step);
      if (r.nextBoolean()) {
        l.put("maxWeight", step + r.nextInt(101 - step));
      }
    } else {
      ArrayNode weights = l.putArray("weights");
      int w = 0;
      int n = 1 + r.nextInt(4);
      for (int i = 0; i < n && w < 100; i++) {
        w = w + 1 + r.nextInt(100 - w);
        weights.add(w);
      }
    }
    boolean interval = r.nextBoolean();
    if (interval) {
      l.put("interval", pick(r, POSITIVE));
    }
    if (!interval || r.nextBoolean()) {
      l.set("analysis", analysis(r, false));
    }
    if (r.nextBoolean()) {
      l.set("backgroundAnalysis", analysis(r, true));
    }
    if (r.nextBoolean()) {
      l.put("scaleDownDelay", pick(r, DURATIONS));
    }
    return l;
  }

  private static ObjectNode rolling(Random r) {
    ObjectNode o = JSON.createObjectNode();
    boolean surge = r.nextBoolean();
    if (surge) {
      o.set("maxSurge", countOrPercent(r, 0));
    }
    if (r.nextBoolean()) {
      // never both zero: the builder refuses that
      boolean surgeZero =
          surge
              && (o.get("maxSurge").asText().equals("0%")
                  || o.get("maxSurge").asText().equals("0"));
      o.set("maxUnavailable", countOrPercent(r, surgeZero ? 1 : 0));
    }
    if (r.nextBoolean()) {
      o.set("analysis", analysis(r, false));
    }
    return o;
  }

  private static JsonNode countOrPercent(Random r, int min) {
    return r.nextBoolean()
        ? IntNode.valueOf(min + r.nextInt(4))
        : TextNode.valueOf((min + r.nextInt(101 - min)) + "%");
  }

  private static ObjectNode recreate(Random r) {
    ObjectNode o = JSON.createObjectNode();
    if (r.nextBoolean()) {
      o.set("analysis", analysis(r, false));
    }
    return o;
  }

  private static ObjectNode analysis(Random r, boolean background) {
    ObjectNode a = JSON.createObjectNode();
    ArrayNode gates = a.putArray("gates");
    gates.add(pick(r, GATES));
    if (r.nextBoolean()) {
      gates.add(pick(r, GATES));
    }
    if (r.nextInt(3) == 0) {
      a.putArray("dryRunGates").add(pick(r, GATES));
    }
    Integer count = r.nextBoolean() ? (background ? r.nextInt(5) : 1 + r.nextInt(5)) : null;
    if (count != null) {
      a.put("count", count);
    }
    boolean needsInterval = count != null && (count >= 2 || count == 0);
    if (needsInterval) {
      a.put("interval", pick(r, POSITIVE));
    } else if (r.nextBoolean()) {
      a.put("interval", pick(r, DURATIONS));
    }
    if (r.nextBoolean()) {
      a.put("initialDelay", pick(r, DURATIONS));
    }
    for (String limit : List.of("failureLimit", "inconclusiveLimit", "consecutiveErrorLimit")) {
      if (r.nextInt(3) == 0) {
        a.put(limit, r.nextInt(4));
      }
    }
    return a;
  }

  private static String pick(Random r, List<String> from) {
    return from.get(r.nextInt(from.size()));
  }

  // ---- mutation --------------------------------------------------------------------------------

  /** A node and where it hangs: its parent and key (objects) or index (arrays). */
  private record Site(String path, JsonNode parent, String key, int index, JsonNode node) {}

  private static void sites(JsonNode node, String path, List<Site> out) {
    if (node.isObject()) {
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        JsonNode child = node.get(k);
        out.add(new Site(path + "." + k, node, k, -1, child));
        sites(child, path + "." + k, out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        out.add(new Site(path + "[" + i + "]", node, "", i, node.get(i)));
        sites(node.get(i), path + "[" + i + "]", out);
      }
    }
  }

  /** Applies one mutation and says which. */
  static String mutate(ObjectNode spec, Random r) {
    List<Site> all = new ArrayList<>();
    sites(spec, "$", all);
    switch (r.nextInt(3)) {
      case 0 -> {
        List<JsonNode> objects = new ArrayList<>();
        objects.add(spec);
        all.stream().map(Site::node).filter(JsonNode::isObject).forEach(objects::add);
        ObjectNode target = (ObjectNode) objects.get(r.nextInt(objects.size()));
        target.put("zzUnknown", "x");
        return "added zzUnknown to " + target;
      }
      case 1 -> {
        List<Site> removable =
            all.stream()
                .filter(s -> s.parent().isObject())
                .filter(
                    s ->
                        !s.path().equals("$.gates")
                            && !s.path().equals("$.metrics")
                            && !s.path().matches("\\$\\.(gates|metrics)\\.[^.]+"))
                .toList();
        Site s = removable.get(r.nextInt(removable.size()));
        ((ObjectNode) s.parent()).remove(s.key());
        return "removed " + s.path();
      }
      default -> {
        Site s = all.get(r.nextInt(all.size()));
        JsonNode replacement =
            s.node().isIntegralNumber() || s.node().isNumber()
                ? TextNode.valueOf("seven")
                : s.node().isBoolean() ? TextNode.valueOf("yes") : IntNode.valueOf(7);
        if (s.parent().isObject()) {
          ((ObjectNode) s.parent()).set(s.key(), replacement);
        } else {
          ((ArrayNode) s.parent()).set(s.index(), replacement);
        }
        return "retyped " + s.path() + " to " + replacement;
      }
    }
  }
}
