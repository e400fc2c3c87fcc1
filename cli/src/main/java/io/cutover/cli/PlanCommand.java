// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.api.Release;
import io.cutover.api.plan.Plan;
import io.cutover.core.plan.PlanJson;
import io.cutover.simulator.sizing.WhatIfReport;
import io.cutover.spec.CutoverSpec;
import io.cutover.spec.SpecEngine;
import io.cutover.spec.SpecPlan;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cutover plan <spec>}: the dry run. Resolves the tag to its digest, runs the verification
 * policy, compiles the plan against the service's current stable release (from the spec's journal),
 * prints the step table and the diff. Launches, routes, pins and journals nothing.
 */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description =
        "Dry run of a cutover.yaml: resolve the tag, verify the artifact, compile the plan, show the"
            + " steps and the diff against the stable release. Changes nothing.")
final class PlanCommand implements Callable<Integer> {
  /** Output formats. */
  enum Output {
    text,
    json
  }

  @Parameters(index = "0", paramLabel = "<spec>", description = "The spec file, e.g. cutover.yaml.")
  Path file = Path.of("cutover.yaml");

  @Option(
      names = "--output",
      defaultValue = "text",
      description = "text or json (default ${DEFAULT-VALUE}).")
  Output output = Output.text;

  @Option(
      names = "--what-if",
      description =
          "Canary sizing by simulation of the spec's own strategy and gates on synthetic traffic:"
              + " detection probability, time to detect, blast radius, false aborts and a"
              + " recommendation (docs/sizing.md). Deploys and contacts nothing.")
  boolean whatIf;

  @Mixin WhatIfOptions sizing = new WhatIfOptions();

  private final Cli cli;

  PlanCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() throws Exception {
    if (whatIf) {
      // Every option is checked, and the spec parsed, before the simulation starts.
      WhatIfOptions.Checked checked = sizing.check();
      CutoverSpec spec = CutoverSpec.parse(file);
      WhatIfReport report = sizing.run(spec, checked);
      if (output == Output.json) {
        cli.out().println(WhatIfOptions.json(spec, report));
      } else {
        cli.out().println("what-if sizing for " + spec.service() + " (" + file + ")");
        cli.out().print(report.toText());
        cli.out().println("(simulation: nothing was deployed, routed or contacted)");
      }
      return Cli.OK;
    }
    CutoverSpec spec = CutoverSpec.parse(file);
    try (SpecEngine engine =
        SpecEngine.open(spec, cli.registry().get(), b -> b.autoResume(false))) {
      SpecPlan plan = engine.plan();
      if (output == Output.json) {
        cli.out().println(json(spec, plan));
      } else {
        text(spec, plan);
      }
    }
    return Cli.OK;
  }

  private void text(CutoverSpec spec, SpecPlan plan) {
    var out = cli.out();
    out.println(
        "plan for "
            + spec.service()
            + " ("
            + file
            + "): "
            + spec.strategy().name()
            + ", "
            + spec.replicas()
            + " replicas");
    out.println(
        "target: "
            + plan.target().id()
            + " = "
            + plan.target().artifact()
            + spec.tag().map(t -> " (tag " + t + ")").orElse(""));
    out.println("diff against the stable release:");
    plan.diff().forEach(l -> out.println("  " + l));
    if (plan.unchanged()) {
      out.println("  the target is already the stable release: apply would change nothing");
    }
    if (plan.evidence().isEmpty()) {
      out.println(
          "verification: "
              + (spec.store().isEmpty()
                  ? "none (no store: the digest is deployed unverified, on purpose)"
                  : "the store checks the digest; no policy in the spec"));
    } else {
      out.println("verification: passed");
      plan.evidence().forEach(l -> out.println("  " + l));
    }
    Plan p = plan.plan();
    if (p != null) {
      out.println();
      out.print(p.toTable());
      out.println();
    }
    out.println("(dry run: nothing was launched, routed, pinned or journaled)");
  }

  static String json(CutoverSpec spec, SpecPlan plan) throws Exception {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put("file", spec.file());
    root.put("service", spec.service());
    root.put("strategy", spec.strategy().name());
    root.put("replicas", spec.replicas());
    root.set("target", release(mapper, plan.target()));
    root.set("stable", release(mapper, plan.stable()));
    root.put("unchanged", plan.unchanged());
    ArrayNode diff = root.putArray("diff");
    plan.diff().forEach(diff::add);
    ArrayNode evidence = root.putArray("verification");
    plan.evidence().forEach(evidence::add);
    Plan p = plan.plan();
    root.set("plan", p == null ? null : mapper.readTree(PlanJson.toJson(p)));
    return mapper.writeValueAsString(root);
  }

  private static @Nullable ObjectNode release(ObjectMapper mapper, @Nullable Release r) {
    if (r == null) {
      return null;
    }
    ObjectNode n = mapper.createObjectNode();
    n.put("id", r.id());
    n.put("artifact", r.artifact().toString());
    n.put("config", r.config().digest().toString());
    return n;
  }
}
