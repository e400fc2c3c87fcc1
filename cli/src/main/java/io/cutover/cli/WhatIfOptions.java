// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.api.InvalidSpecException;
import io.cutover.simulator.sizing.Recommendation;
import io.cutover.simulator.sizing.Regression;
import io.cutover.simulator.sizing.SizingTarget;
import io.cutover.simulator.sizing.Traffic;
import io.cutover.simulator.sizing.WhatIf;
import io.cutover.simulator.sizing.WhatIfReport;
import io.cutover.spec.CutoverSpec;
import io.cutover.spec.SpecWhatIf;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The options of {@code cutover plan --what-if} (a picocli mixin of {@link PlanCommand}), checked
 * all before any simulation starts: a bad one is an {@link InvalidSpecException} naming the option
 * (one line on stderr, exit code 2).
 */
final class WhatIfOptions {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  @Option(
      names = "--regression",
      defaultValue = "+1% errors",
      description =
          "What-if: the regression of the new release: '+N% errors', '+N ms p95' or 'none'"
              + " (default '${DEFAULT-VALUE}').")
  String regression = "+1% errors";

  @Option(
      names = "--runs",
      defaultValue = "2000",
      description =
          "What-if: seeded runs with and without the regression (default ${DEFAULT-VALUE}).")
  int runs = 2000;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description =
          "What-if: the seed; the same seed gives the same report (default ${DEFAULT-VALUE}).")
  long seed = 1;

  @Option(
      names = "--rate",
      defaultValue = "50",
      description = "What-if: requests per second to the service (default ${DEFAULT-VALUE}).")
  double rate = 50;

  @Option(
      names = "--error-rate",
      defaultValue = "0.5%",
      description = "What-if: healthy error rate, e.g. 0.5% (default ${DEFAULT-VALUE}).")
  String errorRate = "0.5%";

  @Option(
      names = "--p95",
      defaultValue = "200ms",
      description = "What-if: healthy p95 latency (default ${DEFAULT-VALUE}).")
  String p95 = "200ms";

  @Option(
      names = "--target",
      defaultValue = "95%",
      description =
          "What-if: detection probability the recommendation must reach (default ${DEFAULT-VALUE}).")
  String target = "95%";

  @Option(
      names = "--target-regression",
      defaultValue = "+1% errors",
      description =
          "What-if: the regression the recommendation must detect (default '${DEFAULT-VALUE}').")
  String targetRegression = "+1% errors";

  @Option(
      names = "--budget",
      defaultValue = "1h",
      description =
          "What-if: the longest healthy rollout the recommendation may take (default ${DEFAULT-VALUE}).")
  String budget = "1h";

  @Option(
      names = "--recommend-runs",
      defaultValue = "400",
      description =
          "What-if: runs per sizing the recommendation screens (default ${DEFAULT-VALUE}).")
  int recommendRuns = 400;

  /** The checked settings. */
  record Checked(Traffic traffic, Regression regression, SizingTarget target) {}

  /**
   * Checks every option.
   *
   * @throws InvalidSpecException naming the first bad option and how to fix it
   */
  Checked check() {
    Regression r = regression("--regression", regression);
    if (runs < 1 || runs > 1_000_000) {
      throw new InvalidSpecException("--runs", "is " + runs, "use 1 to 1000000, e.g. 2000");
    }
    if (recommendRuns < 1 || recommendRuns > 1_000_000) {
      throw new InvalidSpecException(
          "--recommend-runs", "is " + recommendRuns, "use 1 to 1000000, e.g. 400");
    }
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new InvalidSpecException("--rate", "is " + rate, "use requests per second above 0");
    }
    double errors = share("--error-rate", errorRate);
    if (errors >= 1) {
      throw new InvalidSpecException("--error-rate", "is " + errorRate, "use less than 100%");
    }
    Duration latency = duration("--p95", p95);
    double probability = share("--target", target);
    if (!(probability > 0 && probability < 1)) {
      throw new InvalidSpecException(
          "--target", "is " + target, "use a probability between 0% and 100%, e.g. 95%");
    }
    Regression tr = regression("--target-regression", targetRegression);
    if (tr.kind() == Regression.Kind.NONE) {
      throw new InvalidSpecException(
          "--target-regression", "is none", "name a regression to detect, e.g. '+1% errors'");
    }
    Duration b = duration("--budget", budget);
    return new Checked(new Traffic(rate, errors, latency), r, new SizingTarget(tr, probability, b));
  }

  /** Runs the what-if of {@code spec}. */
  WhatIfReport run(CutoverSpec spec, Checked c) {
    WhatIf w =
        SpecWhatIf.builder(spec)
            .traffic(c.traffic())
            .regression(c.regression())
            .runs(runs)
            .recommendRuns(recommendRuns)
            .seed(seed)
            .build();
    return w.run(c.target());
  }

  private static Regression regression(String option, String text) {
    try {
      return Regression.parse(text);
    } catch (InvalidSpecException e) {
      throw new InvalidSpecException(
          option, "is '" + text + "'", "write '+2% errors', '+50ms p95' or 'none'");
    }
  }

  /** {@code 0.5%} or {@code 0.005}. */
  private static double share(String option, String text) {
    String t = text.trim();
    try {
      double v =
          t.endsWith("%")
              ? Double.parseDouble(t.substring(0, t.length() - 1).trim()) / 100
              : Double.parseDouble(t);
      if (v >= 0 && v <= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new InvalidSpecException(
        option, "is '" + text + "'", "write a percentage such as 0.5% (or a share such as 0.005)");
  }

  private static Duration duration(String option, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = DURATION.matcher(t);
    Duration d = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      d =
          d.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
              });
      end = m.end();
    }
    if (end == 0 || end != t.length() || d.isZero() || d.compareTo(Duration.ofDays(365)) > 0) {
      throw new InvalidSpecException(
          option, "is '" + text + "'", "write a positive duration up to 365d, e.g. 200ms, 30s, 1h");
    }
    return d;
  }

  /** The report as JSON. */
  static String json(CutoverSpec spec, WhatIfReport r) throws Exception {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put("file", spec.file());
    root.put("service", spec.service());
    root.put("strategy", r.strategy());
    root.put("runs", r.runs());
    root.put("seed", r.seed());
    ObjectNode traffic = root.putObject("traffic");
    traffic.put("requestsPerSecond", r.traffic().requestsPerSecond());
    traffic.put("errorRate", r.traffic().errorRate());
    traffic.put("latencyP95Seconds", seconds(r.traffic().latencyP95()));
    root.put("regression", r.regression().toString());
    root.put("healthyRolloutSeconds", seconds(r.nominalDuration()));
    root.put("detectionProbability", r.detectionProbability());
    root.put("pausedProbability", r.pausedProbability());
    ArrayNode steps = root.putArray("detectedAtStep");
    for (WhatIfReport.StepDetection s : r.byStep()) {
      ObjectNode n = steps.addObject();
      n.put("step", s.step());
      n.put("description", s.description());
      n.put("probability", s.probability());
    }
    ObjectNode detect = root.putObject("timeToDetectSeconds");
    detect.put("median", seconds(r.detectMedian()));
    detect.put("p95", seconds(r.detectP95()));
    ObjectNode rollback = root.putObject("timeToRollbackSeconds");
    rollback.put("median", seconds(r.rollbackMedian()));
    rollback.put("p95", seconds(r.rollbackP95()));
    ObjectNode blast = root.putObject("blastRadius");
    blast.put("requestsMean", r.blastRequestsMean());
    blast.put("requestsP95", r.blastRequestsP95());
    blast.put("errorsMean", r.blastErrorsMean());
    blast.put("errorsP95", r.blastErrorsP95());
    root.put("falseAbortProbability", r.falseAbortProbability());
    root.put("falsePauseProbability", r.falsePauseProbability());
    Recommendation rec = r.recommendation();
    if (rec != null) {
      ObjectNode n = root.putObject("recommendation");
      n.put("targetRegression", rec.target().regression().toString());
      n.put("targetProbability", rec.target().probability());
      n.put("timeBudgetSeconds", seconds(rec.target().timeBudget()));
      n.put("found", rec.found());
      if (rec.found()) {
        n.put("firstWeightPercent", rec.firstWeightPercent());
        n.put("analysisCount", rec.count());
        n.put("intervalSeconds", seconds(rec.interval()));
        n.put("detectionProbability", rec.detectionProbability());
        n.put("healthyRolloutSeconds", seconds(rec.nominalDuration()));
        n.put("blastRequestsMean", rec.blastRequestsMean());
        n.put("blastRequestsP95", rec.blastRequestsP95());
        n.put("blastErrorsMean", rec.blastErrorsMean());
      }
      n.put("explanation", rec.explanation());
    }
    ArrayNode notes = root.putArray("notes");
    r.notes().forEach(notes::add);
    return mapper.writeValueAsString(root);
  }

  private static @Nullable Double seconds(@Nullable Duration d) {
    return d == null ? null : d.toMillis() / 1000.0;
  }
}
