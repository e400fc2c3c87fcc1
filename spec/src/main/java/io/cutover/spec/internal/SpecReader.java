// SPDX-License-Identifier: Apache-2.0
package io.cutover.spec.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.MutableReferenceException;
import io.cutover.api.TagRef;
import io.cutover.api.plan.Step;
import io.cutover.core.RolloutOptions;
import io.cutover.core.policy.VerificationPolicy;
import io.cutover.core.strategy.BlueGreenStrategy;
import io.cutover.core.strategy.CanaryStrategy;
import io.cutover.core.strategy.LifecycleHooks;
import io.cutover.core.strategy.LinearStrategy;
import io.cutover.core.strategy.RecreateStrategy;
import io.cutover.core.strategy.RollingStrategy;
import io.cutover.spi.RolloutStrategy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Walks a spec's tree into the core builders, collecting every problem instead of stopping at the
 * first: each part (artifact, config, strategy, gates, providers, verification, options) is read on
 * its own, and a builder runs only on a part whose structure was sound, so its own violations
 * (weights out of order, limits) are reported with the structural ones. Not thread-safe; one
 * instance per parse.
 */
public final class SpecReader {
  /** The only apiVersion this reader accepts. */
  public static final String API_VERSION = "cutover.io/v1";

  /** One problem, by JSON path. */
  public record Problem(String path, String problem, String fix) {}

  /** A provider, metric source or gate: its provider type and the rest of its configuration. */
  public record Entry(String type, String path, Map<String, Object> values) {}

  /** A spec read without problems. */
  public record Parsed(
      String service,
      @Nullable TagRef tag,
      @Nullable ArtifactRef digest,
      Map<String, String> config,
      Set<String> secretKeys,
      ConfigRef configRef,
      int replicas,
      RolloutStrategy strategy,
      Map<String, Entry> gates,
      Map<String, Entry> metrics,
      Entry fleet,
      Entry router,
      @Nullable Entry store,
      @Nullable Entry journal,
      @Nullable VerificationPolicy verification,
      RolloutOptions options,
      @Nullable Integer historyLimit,
      @Nullable Integer revisionHistoryLimit) {}

  static final Set<String> ROOT =
      Set.of(
          "apiVersion",
          "service",
          "artifact",
          "config",
          "replicas",
          "strategy",
          "hooks",
          "metrics",
          "gates",
          "providers",
          "verification",
          "options");
  private static final Set<String> VERIFY =
      Set.of(
          "gates",
          "dryRunGates",
          "initialDelay",
          "interval",
          "count",
          "failureLimit",
          "inconclusiveLimit",
          "consecutiveErrorLimit");
  private static final Pattern NAME = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");
  private static final Pattern SECRET_NAME = Pattern.compile("^[A-Za-z0-9_./-]+$");
  private static final Pattern PERCENT = Pattern.compile("^(100|[1-9]?[0-9])%$");

  private static final ObjectMapper JSON = new ObjectMapper();
  private final ObjectMapper mapper;
  private final Path baseDir;
  private final List<Problem> problems = new ArrayList<>();
  private final Map<String, String> gateReferences = new LinkedHashMap<>();

  /** A reader; {@code baseDir} resolves the verification policy's key files. */
  public SpecReader(ObjectMapper mapper, Path baseDir) {
    this.mapper = mapper;
    this.baseDir = baseDir;
  }

  /** Every problem found so far. */
  public List<Problem> problems() {
    return problems;
  }

  /** Records a problem. */
  public void add(String path, String problem, String fix) {
    problems.add(new Problem(path, problem, fix));
  }

  /** Reads the whole document; null when any problem was found (see {@link #problems()}). */
  public @Nullable Parsed read(JsonNode root) {
    // The root and providers are read key by key, so an unknown key there (reported) does not stop
    // the reading of the others: all problems at once.
    object(
        root,
        "$",
        ROOT,
        List.of("apiVersion", "service", "artifact", "replicas", "strategy", "providers"));
    if (!root.isObject()) {
      return null;
    }
    JsonNode api = root.get("apiVersion");
    if (api != null && !(api.isTextual() && api.asText().equals(API_VERSION))) {
      add(
          "$.apiVersion",
          "is " + shown(api) + ", not " + API_VERSION,
          "write apiVersion: " + API_VERSION);
    }
    String service = name(root.get("service"), "$.service", "service");
    ArtifactRead artifact = artifact(root.get("artifact"));
    ConfigRead config = config(root.get("config"));
    JsonNode replicasNode = root.get("replicas");
    Integer replicas =
        replicasNode == null
            ? null
            : integer(replicasNode, "$.replicas", 1, "run at least 1 replica");
    Map<String, Entry> metrics = entries(root.get("metrics"), "$.metrics", "metric source");
    Map<String, Entry> gates = gates(root.get("gates"), metrics);
    RolloutStrategy strategy = strategy(root.get("strategy"));
    LifecycleHooks hooks = new HooksReader(this).read(root.get("hooks"));
    if (strategy != null && hooks != null && hooks != LifecycleHooks.NONE) {
      strategy = hooks.around(strategy);
    }
    for (Map.Entry<String, String> ref : gateReferences.entrySet()) {
      if (root.get("gates") == null || !gates.containsKey(ref.getValue())) {
        add(
            ref.getKey(),
            "names gate '" + ref.getValue() + "', which is not defined under gates",
            Suggestions.fix(ref.getValue(), gates.keySet(), "gates"));
      }
    }
    JsonNode providers = root.get("providers");
    Entry fleet = null;
    Entry router = null;
    Entry store = null;
    Entry journal = null;
    if (providers != null) {
      object(
          providers,
          "$.providers",
          Set.of("fleet", "router", "store", "journal"),
          List.of("fleet", "router"));
    }
    if (providers != null && providers.isObject()) {
      fleet = entry(providers.get("fleet"), "$.providers.fleet", "fleet");
      router = entry(providers.get("router"), "$.providers.router", "router");
      store = entry(providers.get("store"), "$.providers.store", "artifact store");
      journal = entry(providers.get("journal"), "$.providers.journal", "journal");
    }
    boolean hasStore = providers != null && providers.isObject() && providers.has("store");
    if (artifact.tag != null && !hasStore) {
      add(
          "$.artifact.tag",
          "is a tag, which only an artifact store can resolve, but providers.store is missing",
          "add providers.store (e.g. {type: filesystem, root: ./artifacts}), or deploy a digest");
    }
    VerificationPolicy verification = verification(root.get("verification"), hasStore);
    OptionsRead options = options(root.get("options"));
    if (!problems.isEmpty()) {
      return null;
    }
    return new Parsed(
        Objects.requireNonNull(service),
        artifact.tag,
        artifact.digest,
        config.values,
        config.secretKeys,
        Objects.requireNonNull(config.ref),
        Objects.requireNonNull(replicas),
        Objects.requireNonNull(strategy),
        gates,
        metrics,
        Objects.requireNonNull(fleet),
        Objects.requireNonNull(router),
        store,
        journal,
        verification,
        Objects.requireNonNull(options.options),
        options.historyLimit,
        options.revisionHistoryLimit);
  }

  // ---- parts -------------------------------------------------------------------------------

  private record ArtifactRead(@Nullable TagRef tag, @Nullable ArtifactRef digest) {}

  private ArtifactRead artifact(@Nullable JsonNode n) {
    String path = "$.artifact";
    if (n == null || !object(n, path, Set.of("tag", "digest"), List.of())) {
      return new ArtifactRead(null, null);
    }
    if (n.has("tag") == n.has("digest")) {
      add(
          path,
          n.has("tag") ? "has both tag and digest" : "has neither tag nor digest",
          "give exactly one: tag: registry.example.com/app:1.4.2 (resolved once through the store)"
              + " or digest: registry.example.com/app@sha256:<64 hex>");
      return new ArtifactRead(null, null);
    }
    if (n.has("tag")) {
      String text = string(n.get("tag"), path + ".tag", "write repository:tag");
      TagRef tag = text == null ? null : buildAt(path + ".tag", () -> TagRef.parse(text));
      return new ArtifactRead(tag, null);
    }
    String text = string(n.get("digest"), path + ".digest", "write repository@sha256:<64 hex>");
    ArtifactRef ref =
        text == null ? null : buildAt(path + ".digest", () -> ArtifactRef.parse(text, "digest"));
    return new ArtifactRead(null, ref);
  }

  private static final class ConfigRead {
    final Map<String, String> values = new LinkedHashMap<>();
    final Set<String> secretKeys = new LinkedHashSet<>();
    @Nullable ConfigRef ref;
  }

  private ConfigRead config(@Nullable JsonNode n) {
    ConfigRead out = new ConfigRead();
    String path = "$.config";
    if (n == null) {
      out.ref = ConfigRef.EMPTY;
      return out;
    }
    if (!object(n, path, Set.of("values", "secrets"), List.of())) {
      return out;
    }
    int before = problems.size();
    Map<String, String> values = stringMap(n.get("values"), path + ".values");
    Map<String, String> secrets = stringMap(n.get("secrets"), path + ".secrets");
    out.values.putAll(values);
    for (Map.Entry<String, String> s : secrets.entrySet()) {
      String at = path + ".secrets." + s.getKey();
      if (values.containsKey(s.getKey())) {
        add(at, "is also set under config.values", "keep the key in one of the two");
      } else if (!SECRET_NAME.matcher(s.getValue()).matches()) {
        add(
            at,
            "is not a secret name (letters, digits and _ . / - only)",
            "write the name of the secret in your secret store, e.g. db-password; the value itself"
                + " never goes in the spec");
      } else {
        out.values.put(s.getKey(), "${secret:" + s.getValue() + "}");
        out.secretKeys.add(s.getKey());
      }
    }
    if (problems.size() == before) {
      try {
        out.ref = ConfigRef.of(out.values, out.secretKeys);
      } catch (InvalidSpecException e) {
        for (InvalidSpecException.Violation v : e.violations()) {
          String p = v.path().startsWith("config.") ? v.path().substring(7) : v.path();
          add(path + ".values." + p, v.problem(), v.fix() + ", or move it under config.secrets");
        }
      }
    }
    return out;
  }

  private @Nullable RolloutStrategy strategy(@Nullable JsonNode n) {
    String path = "$.strategy";
    Set<String> kinds = Set.of("canary", "blueGreen", "linear", "rolling", "recreate");
    if (n == null || !object(n, path, kinds, List.of())) {
      return null;
    }
    if (n.size() != 1) {
      add(
          path,
          n.size() == 0 ? "names no strategy" : "names " + n.size() + " strategies",
          "give exactly one of canary, blueGreen, linear, rolling or recreate");
      return null;
    }
    String kind = n.fieldNames().next();
    JsonNode s = n.get(kind);
    String p = path + "." + kind;
    return switch (kind) {
      case "canary" -> canary(s, p);
      case "blueGreen" -> blueGreen(s, p);
      case "linear" -> linear(s, p);
      case "rolling" -> rolling(s, p);
      default -> recreate(s, p);
    };
  }

  private @Nullable RolloutStrategy canary(JsonNode n, String p) {
    int before = problems.size();
    if (!object(n, p, Set.of("steps", "backgroundAnalysis", "scaleDownDelay"), List.of("steps"))) {
      return null;
    }
    CanaryStrategy.Builder b = CanaryStrategy.builder();
    JsonNode steps = n.get("steps");
    if (steps != null && !steps.isArray()) {
      add(
          p + ".steps",
          "is " + kind(steps) + ", not a list",
          "list the steps, e.g. - setWeight: 10");
    } else if (steps != null) {
      Set<String> kinds =
          Set.of(
              "setWeight",
              "pause",
              "analysis",
              "setCanaryScale",
              "setHeaderRoute",
              "setMirrorRoute");
      for (int i = 0; i < steps.size(); i++) {
        String sp = p + ".steps[" + i + "]";
        JsonNode step = steps.get(i);
        if (!object(step, sp, kinds, List.of())) {
          continue;
        }
        if (step.size() != 1) {
          add(
              sp,
              step.size() == 0 ? "is empty" : "has " + step.size() + " kinds of step",
              "give exactly one of setWeight, pause, analysis, setCanaryScale, setHeaderRoute or"
                  + " setMirrorRoute per step");
          continue;
        }
        String k = step.fieldNames().next();
        JsonNode v = step.get(k);
        switch (k) {
          case "setWeight" -> {
            Integer w = integer(v, sp + ".setWeight", 0, "use a percentage from 0 to 100");
            if (w != null) {
              b.setWeight(w);
            }
          }
          case "pause" -> {
            if (v.isTextual() && v.asText().equals("untilApproved")) {
              b.pause();
            } else {
              Duration d =
                  duration(v, sp + ".pause", "give a duration such as 5m, or untilApproved");
              if (d != null) {
                b.pause(d);
              }
            }
          }
          case "analysis" -> {
            Step.Verify verify = verify(v, sp + ".analysis", false, Set.of());
            if (verify != null) {
              b.analysis(verify);
            }
          }
          case "setHeaderRoute" -> headerRoute(v, sp + ".setHeaderRoute", b);
          case "setMirrorRoute" -> {
            if (object(v, sp + ".setMirrorRoute", Set.of("percent"), List.of("percent"))) {
              Integer pc =
                  integer(v.get("percent"), sp + ".setMirrorRoute.percent", 1, "use 1 to 100");
              if (pc != null) {
                b.setMirrorRoute(pc);
              }
            }
          }
          default -> canaryScale(v, sp + ".setCanaryScale", b);
        }
      }
    }
    JsonNode bg = n.get("backgroundAnalysis");
    if (bg != null) {
      Step.Verify verify = verify(bg, p + ".backgroundAnalysis", true, Set.of("startingStep"));
      Integer start =
          bg.has("startingStep")
              ? integer(
                  bg.get("startingStep"),
                  p + ".backgroundAnalysis.startingStep",
                  0,
                  "give a 0-based step index")
              : Integer.valueOf(0);
      if (verify != null && start != null) {
        b.backgroundAnalysis(verify, start);
      }
    }
    Duration delay = optionalDuration(n, "scaleDownDelay", p);
    if (delay != null) {
      b.scaleDownDelay(delay);
    }
    return problems.size() == before ? build("$.strategy", b::build) : null;
  }

  private void headerRoute(JsonNode v, String path, CanaryStrategy.Builder b) {
    if (!object(v, path, Set.of("header", "value"), List.of("header", "value"))) {
      return;
    }
    String header = string(v.get("header"), path + ".header", "write a header name, e.g. X-Canary");
    String value = string(v.get("value"), path + ".value", "quote the value, e.g. \"always\"");
    if (header != null && value != null) {
      b.setHeaderRoute(header, value); // the builder checks the token and repeats, with paths
    }
  }

  private void canaryScale(JsonNode v, String path, CanaryStrategy.Builder b) {
    if (!object(v, path, Set.of("replicas", "percent", "matchTrafficWeight"), List.of())) {
      return;
    }
    if (v.size() != 1) {
      add(
          path,
          "has " + v.size() + " settings",
          "give exactly one of replicas, percent or" + " matchTrafficWeight: true");
      return;
    }
    if (v.has("replicas")) {
      Integer r =
          integer(v.get("replicas"), path + ".replicas", 1, "run at least 1 canary instance");
      if (r != null) {
        b.setCanaryScaleReplicas(r);
      }
    } else if (v.has("percent")) {
      Integer r = integer(v.get("percent"), path + ".percent", 1, "use a percentage from 1 to 100");
      if (r != null) {
        b.setCanaryScalePercent(r);
      }
    } else {
      JsonNode m = v.get("matchTrafficWeight");
      if (!m.isBoolean() || !m.asBoolean()) {
        add(
            path + ".matchTrafficWeight",
            "is " + shown(m) + ", not true",
            "write matchTrafficWeight: true, or fix the scale with replicas or percent");
      } else {
        b.setCanaryScaleMatchTrafficWeight();
      }
    }
  }

  private @Nullable RolloutStrategy blueGreen(JsonNode n, String p) {
    Set<String> keys =
        Set.of(
            "preview",
            "previewReplicas",
            "prePromotionAnalysis",
            "autoPromotion",
            "autoPromotionDelay",
            "postPromotionAnalysis",
            "scaleDownDelay");
    int before = problems.size();
    if (!object(n, p, keys, List.of())) {
      return null;
    }
    BlueGreenStrategy.Builder b = BlueGreenStrategy.builder();
    JsonNode preview = n.get("preview");
    if (preview != null
        && object(
            preview,
            p + ".preview",
            Set.of("kind", "name", "value"),
            List.of("kind", "name", "value"))) {
      String kind = string(preview.get("kind"), p + ".preview.kind", "write header or cookie");
      String name = string(preview.get("name"), p + ".preview.name", "name the header or cookie");
      String value = string(preview.get("value"), p + ".preview.value", "give the value to match");
      if (kind != null && !kind.equals("header") && !kind.equals("cookie")) {
        add(p + ".preview.kind", "is '" + kind + "'", "write header or cookie");
      } else if (kind != null && name != null && value != null) {
        if (kind.equals("header")) {
          buildAt(p + ".preview", () -> b.previewHeader(name, value));
        } else {
          buildAt(p + ".preview", () -> b.previewCookie(name, value));
        }
      }
    }
    if (n.has("previewReplicas")) {
      Integer r =
          integer(
              n.get("previewReplicas"),
              p + ".previewReplicas",
              1,
              "preview with at least 1 instance");
      if (r != null) {
        b.previewReplicas(r);
      }
    }
    Step.Verify pre = optionalVerify(n, "prePromotionAnalysis", p);
    if (pre != null) {
      b.prePromotionAnalysis(pre);
    }
    Step.Verify post = optionalVerify(n, "postPromotionAnalysis", p);
    if (post != null) {
      b.postPromotionAnalysis(post);
    }
    if (n.has("autoPromotion")) {
      Boolean auto = bool(n.get("autoPromotion"), p + ".autoPromotion");
      if (auto != null) {
        b.autoPromotion(auto);
      }
    }
    Duration autoDelay = optionalDuration(n, "autoPromotionDelay", p);
    if (autoDelay != null) {
      b.autoPromotionDelay(autoDelay);
    }
    Duration delay = optionalDuration(n, "scaleDownDelay", p);
    if (delay != null) {
      b.scaleDownDelay(delay);
    }
    return problems.size() == before ? build("$.strategy", b::build) : null;
  }

  private @Nullable RolloutStrategy linear(JsonNode n, String p) {
    Set<String> keys =
        Set.of(
            "stepWeight",
            "maxWeight",
            "weights",
            "interval",
            "analysis",
            "backgroundAnalysis",
            "scaleDownDelay");
    int before = problems.size();
    if (!object(n, p, keys, List.of())) {
      return null;
    }
    LinearStrategy.Builder b = LinearStrategy.builder();
    if (n.has("stepWeight")) {
      Integer w = integer(n.get("stepWeight"), p + ".stepWeight", 1, "use 1 to 100");
      if (w != null) {
        b.stepWeight(w);
      }
    }
    if (n.has("maxWeight")) {
      Integer w = integer(n.get("maxWeight"), p + ".maxWeight", 1, "use 1 to 100");
      if (w != null) {
        b.maxWeight(w);
      }
    }
    JsonNode weights = n.get("weights");
    if (weights != null) {
      if (!weights.isArray()) {
        add(
            p + ".weights",
            "is " + kind(weights) + ", not a list",
            "list the weights, e.g. [5, 25, 50]");
      } else {
        int[] ws = new int[weights.size()];
        boolean ok = true;
        for (int i = 0; i < ws.length; i++) {
          Integer w = integer(weights.get(i), p + ".weights[" + i + "]", 1, "use 1 to 100");
          ok &= w != null;
          ws[i] = w == null ? 0 : w;
        }
        if (ok) {
          b.weights(ws);
        }
      }
    }
    Duration interval = optionalDuration(n, "interval", p);
    if (interval != null) {
      b.interval(interval);
    }
    Step.Verify analysis = optionalVerify(n, "analysis", p);
    if (analysis != null) {
      b.analysis(analysis);
    }
    JsonNode bg = n.get("backgroundAnalysis");
    if (bg != null) {
      Step.Verify verify = verify(bg, p + ".backgroundAnalysis", true, Set.of());
      if (verify != null) {
        b.backgroundAnalysis(verify);
      }
    }
    Duration delay = optionalDuration(n, "scaleDownDelay", p);
    if (delay != null) {
      b.scaleDownDelay(delay);
    }
    return problems.size() == before ? build("$.strategy", b::build) : null;
  }

  private @Nullable RolloutStrategy rolling(JsonNode n, String p) {
    int before = problems.size();
    if (!object(n, p, Set.of("maxSurge", "maxUnavailable", "analysis"), List.of())) {
      return null;
    }
    RollingStrategy.Builder b = RollingStrategy.builder();
    JsonNode surge = n.get("maxSurge");
    if (surge != null) {
      countOrPercent(surge, p + ".maxSurge", c -> b.maxSurge(c), c -> b.maxSurgePercent(c));
    }
    JsonNode unavailable = n.get("maxUnavailable");
    if (unavailable != null) {
      countOrPercent(
          unavailable,
          p + ".maxUnavailable",
          c -> b.maxUnavailable(c),
          c -> b.maxUnavailablePercent(c));
    }
    Step.Verify analysis = optionalVerify(n, "analysis", p);
    if (analysis != null) {
      b.analysis(analysis);
    }
    return problems.size() == before ? build("$.strategy", b::build) : null;
  }

  private void countOrPercent(JsonNode v, String path, IntConsumer count, IntConsumer percent) {
    if (v.isTextual() && PERCENT.matcher(v.asText()).matches()) {
      String t = v.asText();
      percent.accept(Integer.parseInt(t.substring(0, t.length() - 1)));
    } else if (v.isIntegralNumber() && v.canConvertToInt() && v.asInt() >= 0) {
      count.accept(v.asInt());
    } else {
      add(
          path,
          "is " + shown(v),
          "give a count of 0 or more (e.g. 1) or a percentage (e.g. '25%')");
    }
  }

  private @Nullable RolloutStrategy recreate(JsonNode n, String p) {
    int before = problems.size();
    if (!object(n, p, Set.of("analysis"), List.of())) {
      return null;
    }
    RecreateStrategy.Builder b = RecreateStrategy.builder();
    Step.Verify analysis = optionalVerify(n, "analysis", p);
    if (analysis != null) {
      b.analysis(analysis);
    }
    return problems.size() == before ? build("$.strategy", b::build) : null;
  }

  private Step.@Nullable Verify optionalVerify(JsonNode parent, String key, String p) {
    JsonNode n = parent.get(key);
    return n == null ? null : verify(n, p + "." + key, false, Set.of());
  }

  private Step.@Nullable Verify verify(
      JsonNode n, String path, boolean background, Set<String> extra) {
    Set<String> known = new LinkedHashSet<>(VERIFY);
    known.addAll(extra);
    int before = problems.size();
    if (!object(n, path, known, List.of())) {
      return null;
    }
    List<String> gates = names(n.get("gates"), path + ".gates");
    List<String> dryRun = names(n.get("dryRunGates"), path + ".dryRunGates");
    if (gates.isEmpty() && dryRun.isEmpty() && problems.size() == before) {
      add(path + ".gates", "is missing or empty", "name at least one gate defined under gates");
    }
    Step.Verify.Builder b = Step.Verify.gates(gates.toArray(String[]::new));
    b.dryRun(dryRun.toArray(String[]::new));
    Duration initialDelay = optionalDuration(n, "initialDelay", path);
    if (initialDelay != null) {
      b.initialDelay(initialDelay);
    }
    Duration interval = optionalDuration(n, "interval", path);
    if (interval != null) {
      b.interval(interval);
    }
    if (n.has("count")) {
      Integer c =
          integer(
              n.get("count"),
              path + ".count",
              background ? 0 : 1,
              background ? "use 0 (until the rollout ends) or more" : "measure at least once");
      if (c != null) {
        b.count(c);
      }
    }
    for (String limit : List.of("failureLimit", "inconclusiveLimit", "consecutiveErrorLimit")) {
      if (n.has(limit)) {
        Integer l = integer(n.get(limit), path + "." + limit, 0, "use 0 or more");
        if (l != null) {
          switch (limit) {
            case "failureLimit" -> b.failureLimit(l);
            case "inconclusiveLimit" -> b.inconclusiveLimit(l);
            default -> b.consecutiveErrorLimit(l);
          }
        }
      }
    }
    if (background) {
      b.background();
    }
    if (problems.size() != before) {
      return null;
    }
    for (int i = 0; i < gates.size(); i++) {
      gateReferences.put(path + ".gates[" + i + "]", gates.get(i));
    }
    for (int i = 0; i < dryRun.size(); i++) {
      gateReferences.put(path + ".dryRunGates[" + i + "]", dryRun.get(i));
    }
    try {
      return b.build();
    } catch (InvalidSpecException e) {
      for (InvalidSpecException.Violation v : e.violations()) {
        String rel = v.path().startsWith("verify.") ? v.path().substring(7) : v.path();
        add(path + "." + rel, v.problem(), v.fix());
      }
      return null;
    }
  }

  /** Records that {@code path} names a gate, checked against the gates section at the end. */
  void gateReference(String path, String gate) {
    gateReferences.put(path, gate);
  }

  List<String> names(@Nullable JsonNode n, String path) {
    List<String> out = new ArrayList<>();
    if (n == null) {
      return out;
    }
    if (!n.isArray()) {
      add(path, "is " + kind(n) + ", not a list", "list gate names, e.g. [success-rate]");
      return out;
    }
    for (int i = 0; i < n.size(); i++) {
      String s = string(n.get(i), path + "[" + i + "]", "write the name of a gate");
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  private Map<String, Entry> gates(@Nullable JsonNode n, Map<String, Entry> metrics) {
    Map<String, Entry> raw = entries(n, "$.gates", "gate");
    Map<String, Entry> out = new LinkedHashMap<>();
    for (Map.Entry<String, Entry> e : raw.entrySet()) {
      Entry g = e.getValue();
      if (g.values().containsKey("name")) {
        add(
            g.path() + ".name",
            "is set, but a gate's name is its key under gates",
            "remove name; the key '" + e.getKey() + "' is the gate's name");
        continue;
      }
      Map<String, Object> values = new LinkedHashMap<>();
      values.put("name", e.getKey());
      values.putAll(g.values());
      @SuppressWarnings("unchecked")
      Map<String, Object> resolved =
          (Map<String, Object>) resolveSources(values, g.path(), metrics);
      out.put(e.getKey(), new Entry(g.type(), g.path(), resolved));
    }
    return out;
  }

  /**
   * Replaces every {@code source: <name>} in a gate's configuration (nested gates of a composite
   * included) by that metric source's definition under {@code metrics}.
   */
  private Object resolveSources(Object value, String path, Map<String, Entry> metrics) {
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String key = String.valueOf(e.getKey());
        Object v = e.getValue();
        String at = path + "." + key;
        if (key.equals("source") && v instanceof String name) {
          Entry source = metrics.get(name);
          if (source == null) {
            add(
                at,
                "names metric source '" + name + "', which is not defined under metrics",
                Suggestions.fix(name, metrics.keySet(), "metric sources"));
            out.put(key, v);
          } else {
            Map<String, Object> def = new LinkedHashMap<>();
            def.put("type", source.type());
            def.putAll(source.values());
            out.put(key, def);
          }
        } else {
          out.put(key, v == null ? null : resolveSources(v, at, metrics));
        }
      }
      return out;
    }
    if (value instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < l.size(); i++) {
        Object v = l.get(i);
        out.add(v == null ? null : resolveSources(v, path + "[" + i + "]", metrics));
      }
      return out;
    }
    return value;
  }

  private Map<String, Entry> entries(@Nullable JsonNode n, String path, String what) {
    Map<String, Entry> out = new LinkedHashMap<>();
    if (n == null) {
      return out;
    }
    if (!n.isObject()) {
      add(
          path,
          "is " + kind(n) + ", not a mapping",
          "map each " + what + "'s name to its settings");
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String at = path + "." + e.getKey();
      if (!NAME.matcher(e.getKey()).matches()) {
        add(
            at,
            "'" + e.getKey() + "' is not a valid " + what + " name",
            "use 1-63 lowercase letters, digits and '-', starting and ending with a letter or"
                + " digit");
        continue;
      }
      Entry entry = entry(e.getValue(), at, what);
      if (entry != null) {
        out.put(e.getKey(), entry);
      }
    }
    return out;
  }

  private @Nullable Entry entry(@Nullable JsonNode n, String path, String what) {
    if (n == null) {
      return null;
    }
    if (!n.isObject()) {
      add(
          path,
          "is " + kind(n) + ", not a mapping",
          "give the " + what + " as {type: <provider>, ...}");
      return null;
    }
    JsonNode type = n.get("type");
    if (type == null) {
      add(
          path + ".type",
          "is missing",
          "name the " + what + "'s provider, e.g. type: " + example(what));
      return null;
    }
    String t = string(type, path + ".type", "name the provider, e.g. type: " + example(what));
    if (t == null) {
      return null;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> values = mapper.convertValue(n, LinkedHashMap.class);
    values.remove("type");
    return new Entry(t, path, values);
  }

  private static String example(String what) {
    return switch (what) {
      case "fleet" -> "local-process";
      case "router" -> "haproxy";
      case "artifact store" -> "filesystem";
      case "journal" -> "file";
      case "gate" -> "threshold";
      default -> "prometheus";
    };
  }

  private @Nullable VerificationPolicy verification(@Nullable JsonNode n, boolean hasStore) {
    if (n == null) {
      return null;
    }
    String path = "$.verification";
    if (!n.isObject()) {
      add(
          path,
          "is " + kind(n) + ", not a mapping",
          "give the verification policy (docs/artifacts.md)");
      return null;
    }
    if (!hasStore) {
      add(
          path,
          "is set, but providers.store is missing: a policy reads signatures and provenance"
              + " through the store",
          "add providers.store, or remove verification");
    }
    try {
      return VerificationPolicy.fromJson(JSON.writeValueAsString(n), baseDir);
    } catch (InvalidSpecException e) {
      for (InvalidSpecException.Violation v : e.violations()) {
        String p = v.path();
        String rel = p.equals("$") ? "" : p.startsWith("$.") ? p.substring(1) : "." + p;
        add(path + rel, v.problem(), v.fix());
      }
      return null;
    } catch (JsonProcessingException e) {
      add(path, "cannot be read (" + e.getOriginalMessage() + ")", "fix the policy's syntax");
      return null;
    }
  }

  private static final class OptionsRead {
    @Nullable RolloutOptions options;
    @Nullable Integer historyLimit;
    @Nullable Integer revisionHistoryLimit;
  }

  private OptionsRead options(@Nullable JsonNode n) {
    OptionsRead out = new OptionsRead();
    String path = "$.options";
    RolloutOptions o = RolloutOptions.DEFAULT.withInitiator("cutover-spec");
    if (n == null) {
      out.options = o;
      return out;
    }
    Set<String> keys =
        Set.of(
            "progressDeadline", "initiator", "annotations", "historyLimit", "revisionHistoryLimit");
    if (!object(n, path, keys, List.of())) {
      return out;
    }
    int before = problems.size();
    Duration deadline = optionalDuration(n, "progressDeadline", path);
    if (deadline != null && deadline.isZero()) {
      add(path + ".progressDeadline", "is 0", "use a positive duration such as 10m");
    }
    String initiator =
        n.has("initiator")
            ? string(n.get("initiator"), path + ".initiator", "name who starts the rollout")
            : o.initiator();
    Map<String, String> annotations = stringMap(n.get("annotations"), path + ".annotations");
    if (n.has("historyLimit")) {
      out.historyLimit =
          integer(
              n.get("historyLimit"),
              path + ".historyLimit",
              1,
              "keep at least 1 finished rollout per service");
    }
    if (n.has("revisionHistoryLimit")) {
      out.revisionHistoryLimit =
          integer(
              n.get("revisionHistoryLimit"),
              path + ".revisionHistoryLimit",
              1,
              "keep at least 1 previous release (the rollback target)");
    }
    if (initiator != null && initiator.isBlank()) {
      add(path + ".initiator", "is blank", "name who starts the rollout");
    }
    if (problems.size() == before && initiator != null) {
      out.options =
          new RolloutOptions(
              deadline == null ? o.progressDeadline() : deadline, false, initiator, annotations);
    }
    return out;
  }

  // ---- scalars -------------------------------------------------------------------------------

  /**
   * Checks that {@code n} is a mapping with only {@code known} keys and every {@code required} one.
   * Unknown keys get a typo suggestion. Returns whether the caller should read the object's keys:
   * false when it is not a mapping or has an unknown key.
   */
  boolean object(JsonNode n, String path, Set<String> known, List<String> required) {
    if (!n.isObject()) {
      add(path, "is " + kind(n) + ", not a mapping", "write a mapping with keys " + sorted(known));
      return false;
    }
    boolean unknown = false;
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!known.contains(k)) {
        add(path + "." + k, "is not a known key", Suggestions.fix(k, known, "keys"));
        unknown = true;
      }
    }
    for (String r : required) {
      if (!n.has(r)) {
        add(path + "." + r, "is missing", "add " + r + " (required)");
      }
    }
    // With an unknown key (a typo, usually), the object is not read further: what the typo meant
    // is a guess, and reading on would report consequences of the guess as problems of their own.
    return !unknown;
  }

  private @Nullable String name(@Nullable JsonNode n, String path, String what) {
    String s = n == null ? null : string(n, path, "name the " + what);
    if (s != null && !NAME.matcher(s).matches()) {
      add(
          path,
          "'" + s + "' is not a valid " + what + " name",
          "use 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit");
      return null;
    }
    return s;
  }

  @Nullable String string(@Nullable JsonNode n, String path, String fix) {
    if (n == null) {
      return null; // a missing required key is reported by object()
    }
    if (!n.isTextual()) {
      add(path, "is " + kind(n) + ", not a string", fix);
      return null;
    }
    return n.asText();
  }

  private @Nullable Integer integer(@Nullable JsonNode n, String path, int min, String fix) {
    if (n == null) {
      return null; // a missing required key is reported by object()
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      add(path, "is " + kind(n) + ", not an integer", fix);
      return null;
    }
    int v = n.asInt();
    if (v < min) {
      add(path, "is " + v, fix);
      return null;
    }
    return v;
  }

  private @Nullable Boolean bool(@Nullable JsonNode n, String path) {
    if (n == null) {
      return null; // a missing required key is reported by object()
    }
    if (!n.isBoolean()) {
      add(path, "is " + kind(n) + ", not true or false", "write true or false");
      return null;
    }
    return n.asBoolean();
  }

  @Nullable Duration optionalDuration(JsonNode parent, String key, String path) {
    JsonNode n = parent.get(key);
    return n == null
        ? null
        : duration(n, path + "." + key, "give a duration such as 30s, 5m or 1h");
  }

  private @Nullable Duration duration(@Nullable JsonNode n, String path, String fix) {
    if (n == null) {
      return null; // a missing required key is reported by object()
    }
    if (!n.isTextual()) {
      add(path, "is " + kind(n) + ", not a duration", fix + " (units ms, s, m, h, d)");
      return null;
    }
    Duration d = Durations.parse(n.asText());
    if (d == null) {
      add(path, "'" + n.asText() + "' is not a duration", fix + " (units ms, s, m, h, d)");
    }
    return d;
  }

  Map<String, String> stringMap(@Nullable JsonNode n, String path) {
    Map<String, String> out = new LinkedHashMap<>();
    if (n == null) {
      return out;
    }
    if (!n.isObject()) {
      add(path, "is " + kind(n) + ", not a mapping", "write key: value pairs");
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String v = string(e.getValue(), path + "." + e.getKey(), "quote the value, e.g. \"8080\"");
      if (v != null) {
        out.put(e.getKey(), v);
      }
    }
    return out;
  }

  /** Runs a builder; its violations' relative paths go under {@code prefix}. */
  private <T> @Nullable T build(String prefix, Supplier<T> builder) {
    try {
      return builder.get();
    } catch (InvalidSpecException e) {
      for (InvalidSpecException.Violation v : e.violations()) {
        String p = v.path();
        add(p.startsWith("$") ? p : prefix + "." + p, v.problem(), v.fix());
      }
      return null;
    }
  }

  /** Runs a value's factory; its violations are reported at {@code path}. */
  private <T> @Nullable T buildAt(String path, Supplier<T> builder) {
    try {
      return builder.get();
    } catch (InvalidSpecException e) {
      for (InvalidSpecException.Violation v : e.violations()) {
        add(path, v.problem(), v.fix());
      }
      return null;
    } catch (MutableReferenceException e) {
      add(
          path,
          "is a tag reference, not a digest",
          "write repository@sha256:<64 hex> under digest, or put the tag under artifact.tag");
      return null;
    }
  }

  /** What a node is, for messages; never its value (it could be a misplaced secret). */
  static String kind(JsonNode n) {
    if (n.isObject()) {
      return "a mapping";
    }
    if (n.isArray()) {
      return "a list";
    }
    if (n.isTextual()) {
      return "a string";
    }
    if (n.isBoolean()) {
      return "a boolean";
    }
    if (n.isNumber()) {
      return n.isIntegralNumber() ? "an integer" : "a number";
    }
    return "null";
  }

  /** A value of the spec's own fields, shown in messages: short scalars only. */
  private static String shown(JsonNode n) {
    if ((n.isTextual() && n.asText().length() <= 40) || n.isNumber() || n.isBoolean()) {
      return n.isTextual() ? "'" + n.asText() + "'" : n.asText();
    }
    return kind(n);
  }

  private static List<String> sorted(Set<String> keys) {
    return keys.stream().sorted().toList();
  }
}
