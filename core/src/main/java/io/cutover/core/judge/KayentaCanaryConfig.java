// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.judge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.api.InvalidSpecException;
import io.cutover.core.gate.internal.Configs;
import io.cutover.core.internal.provider.MapProviderConfig;
import io.cutover.core.judge.internal.MetricConfigs;
import io.cutover.spi.ProviderConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A Spinnaker Kayenta canary configuration (the {@code canary-config} JSON that Kayenta stores and
 * the Spinnaker UI edits), read into the judge's terms: {@link CanaryMetric}s, group weights and
 * score thresholds for a {@link CanaryJudge} in {@link CanaryJudge.Mode#KAYENTA Kayenta mode}.
 *
 * <p><b>What is read.</b> {@code metrics[].name}, {@code metrics[].groups} (required: Kayenta
 * scores groups only), {@code metrics[].analysisConfigurations.canary} ({@code direction}, {@code
 * nanStrategy}, {@code critical}, {@code mustHaveData}, {@code effectSize.{measure,
 * allowedIncrease, allowedDecrease, criticalIncrease, criticalDecrease}}, {@code
 * outliers.{strategy, outlierFactor}}), {@code classifier.groupWeights}, the optional {@code
 * classifier.scoreThresholds.{pass, marginal}} and {@code judge.name}, which must be {@value
 * #JUDGE_NAME} when present. Other keys ({@code id}, {@code applications}, {@code templates},
 * timestamps, ...) are ignored, as Kayenta does.
 *
 * <p><b>Queries.</b> Kayenta's queries are written for its metric store. A Prometheus metric whose
 * {@code query.customInlineTemplate} is {@code "PromQL:<expr>"} runs as {@code <expr>} with {@code
 * ${scope}} replaced by {@code {{release}}}, which the judge fills with the canary's and then the
 * baseline's release id (so the series must carry the release id in the label the template names).
 * Every other query (other stores, {@code metricName} with label bindings, other {@code ${...}}
 * variables) needs a replacement in the {@code queries} map given when reading, keyed by metric
 * name; an entry there wins over the config's own query.
 *
 * <p><b>Errors.</b> Every problem is an {@link InvalidSpecException} whose path is the JSON path
 * inside the config, prefixed with where it came from (a file name, or the configuration key that
 * holds it inline): {@code canary.json:$.metrics[1].analysisConfigurations.canary.direction}.
 * Values are checked strictly; unknown keys are ignored, so a config Kayenta accepts is not refused
 * for fields Cutover does not use.
 *
 * <p>Immutable and thread-safe.
 */
public final class KayentaCanaryConfig {
  /** The only Kayenta judge this reproduces. */
  public static final String JUDGE_NAME = "NetflixACAJudge-v1.0";

  private static final String PROVIDER = "canary-config";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

  /**
   * Score thresholds.
   *
   * @param pass the lowest passing score
   * @param marginal the lowest marginal score
   */
  public record Thresholds(double pass, double marginal) {}

  private final String name;
  private final List<CanaryMetric> metrics;
  private final Map<String, Double> groupWeights;
  private final @Nullable Thresholds thresholds;

  private KayentaCanaryConfig(
      String name,
      List<CanaryMetric> metrics,
      Map<String, Double> groupWeights,
      @Nullable Thresholds thresholds) {
    this.name = name;
    this.metrics = List.copyOf(metrics);
    this.groupWeights = Collections.unmodifiableMap(new LinkedHashMap<>(groupWeights));
    this.thresholds = thresholds;
  }

  /**
   * Reads a config file.
   *
   * @param queries replacement query templates by metric name (may be empty)
   * @throws InvalidSpecException if the file cannot be read or the config is wrong, naming the file
   *     and path
   */
  public static KayentaCanaryConfig read(Path file, Map<String, String> queries) {
    return read(file, queries, "queries");
  }

  static KayentaCanaryConfig read(Path file, Map<String, String> queries, String queriesPath) {
    String json;
    try {
      json = Files.readString(file);
    } catch (IOException e) {
      throw new InvalidSpecException(
          file.toString(),
          "cannot be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")",
          "point to a readable Kayenta canary-config JSON file");
    }
    return parse(json, file.toString(), queries, queriesPath);
  }

  /**
   * Parses a config.
   *
   * @param origin where the JSON came from (a file name), used as the prefix of error paths
   * @param queries replacement query templates by metric name (may be empty)
   * @throws InvalidSpecException if the JSON is malformed or the config is wrong, naming the path
   */
  public static KayentaCanaryConfig parse(String json, String origin, Map<String, String> queries) {
    return parse(json, origin, queries, "queries");
  }

  private static KayentaCanaryConfig parse(
      String json, String origin, Map<String, String> queries, String queriesPath) {
    Object tree;
    try {
      tree = JSON.readValue(json, Object.class);
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      throw new InvalidSpecException(
          origin,
          "is not valid JSON" + where + ": " + e.getOriginalMessage(),
          "export the canary config from Kayenta or Spinnaker again, or fix the JSON");
    }
    if (!(tree instanceof Map<?, ?> map)) {
      throw new InvalidSpecException(
          origin + ":$",
          "is not a JSON object",
          "give a Kayenta canary config, an object with 'metrics'");
    }
    Map<String, Object> root = new LinkedHashMap<>();
    map.forEach((k, v) -> root.put(String.valueOf(k), v));
    return from(MapProviderConfig.of(PROVIDER, origin + ":$", root), queries, queriesPath);
  }

  /**
   * Reads a config already parsed into a configuration view (inline in a {@code canary-judge}
   * configuration).
   */
  static KayentaCanaryConfig from(
      ProviderConfig root, Map<String, String> queries, String queriesPath) {
    String judge = root.getConfig("judge").getString("name");
    if (judge != null && !judge.equals(JUDGE_NAME)) {
      throw new InvalidSpecException(
          root.getConfig("judge").pathOf("name"),
          "is '" + judge + "'",
          "Cutover reproduces "
              + JUDGE_NAME
              + " only; judge this config with "
              + JUDGE_NAME
              + " or write a native configuration");
    }
    List<ProviderConfig> entries = Configs.objects(root, "metrics");
    if (entries.isEmpty()) {
      throw new InvalidSpecException(
          root.pathOf("metrics"), "is missing or empty", "list the metrics to compare");
    }
    Set<String> seen = new LinkedHashSet<>();
    for (ProviderConfig m : entries) {
      MetricConfigs.requireUnique(seen, m.requireString("name"), m.pathOf("name"));
    }
    // A replacement for a metric that does not exist is a typo: say so before complaining about
    // queries.
    for (String q : queries.keySet()) {
      if (!seen.contains(q)) {
        throw new InvalidSpecException(
            queriesPath + "." + q,
            "names no metric of the canary config",
            "use one of the config's metric names " + seen);
      }
    }
    Set<String> groupsInUse = new LinkedHashSet<>();
    List<CanaryMetric> metrics = new ArrayList<>();
    for (ProviderConfig m : entries) {
      String metricName = m.requireString("name");
      List<String> groups = m.getStringList("groups");
      if (groups.isEmpty()) {
        throw new InvalidSpecException(
            m.pathOf("groups"),
            "is missing or empty",
            "put the metric in at least one group: Kayenta scores groups, not single metrics");
      }
      groupsInUse.addAll(groups);
      String query =
          queries.containsKey(metricName)
              ? queries.get(metricName)
              : query(m.getConfig("query"), metricName);
      CanaryMetric.Builder b =
          CanaryMetric.builder(metricName, query).groups(groups.toArray(String[]::new));
      MetricConfigs.applyAnalysis(
          m.getConfig("analysisConfigurations").getConfig("canary"), b, false);
      metrics.add(MetricConfigs.at(m.path(), b::build));
    }
    ProviderConfig classifier = root.getConfig("classifier");
    ProviderConfig weights = classifier.getConfig("groupWeights");
    Map<String, Double> groupWeights = MetricConfigs.groupWeights(weights);
    for (String g : groupWeights.keySet()) {
      if (!groupsInUse.contains(g)) {
        throw new InvalidSpecException(
            weights.pathOf(g),
            "weighs a group that no metric belongs to",
            "use the groups of the metrics " + groupsInUse + ", or drop the weight");
      }
    }
    Thresholds thresholds = null;
    ProviderConfig t = classifier.getConfig("scoreThresholds");
    if (!t.keys().isEmpty()) {
      thresholds =
          new Thresholds(t.getDouble("pass", Double.NaN), t.getDouble("marginal", Double.NaN));
      Thresholds checked = thresholds;
      MetricConfigs.at(
          t.path(), () -> CanaryJudge.builder().thresholds(checked.pass(), checked.marginal()));
    }
    return new KayentaCanaryConfig(
        root.getString("name", "unnamed"), metrics, groupWeights, thresholds);
  }

  private static String query(ProviderConfig q, String metricName) {
    String fix =
        "give a query template for metric '"
            + metricName
            + "' in 'queries' (e.g. PromQL with {{release}})";
    String type = q.getString("type", q.getString("serviceType", ""));
    if (!type.equals("prometheus")) {
      throw new InvalidSpecException(
          q.pathOf("type"), "is '" + type + "': only Prometheus queries carry over", fix);
    }
    String inline = q.getString("customInlineTemplate");
    if (inline == null || !inline.startsWith("PromQL:")) {
      throw new InvalidSpecException(
          q.pathOf("customInlineTemplate"),
          inline == null
              ? "is missing: Kayenta builds this query from metricName and its own scope settings, which do not carry over"
              : "does not start with 'PromQL:'",
          "write it as 'PromQL:<expression with ${scope}>', or " + fix);
    }
    String promql = inline.substring("PromQL:".length()).trim();
    Matcher v = VARIABLE.matcher(promql);
    while (v.find()) {
      if (!v.group(1).equals("scope")) {
        throw new InvalidSpecException(
            q.pathOf("customInlineTemplate"),
            "uses ${" + v.group(1) + "}, which Cutover cannot fill (only ${scope}, the release id)",
            fix);
      }
    }
    return promql.replace("${scope}", "{{release}}");
  }

  /** The config's {@code name}, or {@code unnamed}. */
  public String name() {
    return name;
  }

  /** The metrics, in the config's order, with their queries resolved. */
  public List<CanaryMetric> metrics() {
    return metrics;
  }

  /** {@code classifier.groupWeights}, in percent. */
  public Map<String, Double> groupWeights() {
    return groupWeights;
  }

  /**
   * {@code classifier.scoreThresholds}, if the config has them (Kayenta usually takes them per
   * execution).
   */
  public @Nullable Thresholds thresholds() {
    return thresholds;
  }

  /** A judge builder in Kayenta mode with the config's group weights and score thresholds. */
  public CanaryJudge.Builder judge() {
    return applyTo(CanaryJudge.builder().mode(CanaryJudge.Mode.KAYENTA));
  }

  /** Sets the config's group weights and (when present) score thresholds on {@code builder}. */
  public CanaryJudge.Builder applyTo(CanaryJudge.Builder builder) {
    Objects.requireNonNull(builder, "builder");
    groupWeights.forEach(builder::groupWeight);
    if (thresholds != null) {
      builder.thresholds(thresholds.pass(), thresholds.marginal());
    }
    return builder;
  }

  @Override
  public String toString() {
    return "KayentaCanaryConfig{"
        + name
        + ", "
        + metrics.size()
        + " metrics, groupWeights="
        + groupWeights
        + "}";
  }
}
