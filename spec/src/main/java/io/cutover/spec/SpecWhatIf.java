// SPDX-License-Identifier: Apache-2.0
package io.cutover.spec;

import io.cutover.api.ArtifactRef;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Plan;
import io.cutover.core.ProviderRegistry;
import io.cutover.core.gate.BurnRateGateProvider;
import io.cutover.core.gate.CompositeGateProvider;
import io.cutover.core.gate.ThresholdGateProvider;
import io.cutover.core.judge.CanaryJudgeGateProvider;
import io.cutover.simulator.sizing.SyntheticMetrics;
import io.cutover.simulator.sizing.WhatIf;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import io.cutover.spi.HealthGateProvider;
import io.cutover.spi.MetricSource;
import io.cutover.spi.MetricSourceProvider;
import io.cutover.spi.PlanRequest;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What-if canary sizing of a spec: its own strategy compiled into a plan (against a synthetic
 * stable release, so a canary is planned as a canary), and its own gates built by the real gate
 * providers from the spec's settings — with every metric source replaced by the simulation's {@link
 * SyntheticMetrics}. What {@code cutover plan --what-if} runs.
 *
 * <pre>{@code
 * WhatIfReport report = SpecWhatIf.builder(CutoverSpec.parse(Path.of("cutover.yaml")))
 *     .regression(Regression.parse("+2% errors"))
 *     .build()
 *     .run(SizingTarget.defaults());
 * }</pre>
 *
 * <p><b>Gates.</b> {@code threshold}, {@code canary-judge}, {@code burn-rate} and {@code composite}
 * gates are the real ones on synthetic metrics; an {@code http-probe} is one request to the
 * candidate per measurement ({@link SyntheticMetrics#probe}); a {@code manual-approval} approves at
 * once; any other gate (a webhook, a custom provider) passes. The report's notes name every gate
 * that was not modeled. Nothing is contacted: no provider of the spec is created, no network.
 *
 * <p><b>Errors.</b> {@link #builder} throws a {@link SpecException} (located in the file) when a
 * gate's settings are refused. Thread-safe: no state.
 */
public final class SpecWhatIf {
  private static final Set<String> REAL =
      Set.of("threshold", "canary-judge", "burn-rate", "composite");

  private SpecWhatIf() {}

  /** A what-if of the spec's strategy and gates; traffic, regression, runs and seed to set. */
  public static WhatIf.Builder builder(CutoverSpec spec) {
    Release stable = synthetic(spec, 'a');
    Release target = synthetic(spec, 'b');
    Plan plan = spec.strategy().plan(new PlanRequest(stable, target, spec.replicas()));
    Set<String> sourceTypes = new TreeSet<>();
    Map<String, String> gateTypes = new LinkedHashMap<>();
    for (Map.Entry<String, ProviderSpec> g : spec.gates().entrySet()) {
      gateTypes.put(g.getKey(), g.getValue().type());
      scan(g.getValue().config().asMap(), sourceTypes, gateTypes);
    }
    WhatIf.Builder b =
        WhatIf.builder(plan).gates(metrics -> gates(spec, metrics, sourceTypes, gateTypes));
    Set<String> notModeled = new LinkedHashSet<>();
    List<String> approvals = new ArrayList<>();
    gateTypes.forEach(
        (name, type) -> {
          if (type.equals("manual-approval")) {
            approvals.add(name);
          } else if (!REAL.contains(type) && !type.equals("http-probe")) {
            notModeled.add(name + " (" + type + ")");
          }
        });
    if (!notModeled.isEmpty()) {
      b.note("gates " + notModeled + " are not modeled: treated as always passing");
    }
    if (!approvals.isEmpty()) {
      b.note("approval gates " + approvals + " are approved at once");
    }
    if (gateTypes.containsValue("http-probe")) {
      b.note(
          "an http-probe is modeled as one request to the new release per measurement, failing"
              + " with its error rate (a latency regression does not fail it)");
    }
    return b;
  }

  /** The spec's release with a made-up digest: nothing is resolved through a store. */
  private static Release synthetic(CutoverSpec spec, char fill) {
    String hex = String.valueOf(fill).repeat(64);
    return spec.release(ArtifactRef.parse("what-if/" + fill + "@sha256:" + hex));
  }

  /** Collects metric source types and nested (composite) gate names and types. */
  private static void scan(Object value, Set<String> sources, Map<String, String> gates) {
    if (value instanceof Map<?, ?> m) {
      Object source = m.get("source");
      if (source instanceof Map<?, ?> s && s.get("type") instanceof String t) {
        sources.add(t);
      }
      Object nested = m.get("gates");
      if (nested instanceof List<?> list) {
        for (Object o : list) {
          if (o instanceof Map<?, ?> g
              && g.get("type") instanceof String t
              && g.get("name") instanceof String n) {
            gates.putIfAbsent(n, t);
          }
        }
      }
      for (Object v : m.values()) {
        scan(v, sources, gates);
      }
    } else if (value instanceof List<?> l) {
      for (Object v : l) {
        scan(v, sources, gates);
      }
    }
  }

  private static Map<String, HealthGate> gates(
      CutoverSpec spec,
      SyntheticMetrics metrics,
      Set<String> sourceTypes,
      Map<String, String> gateTypes) {
    ProviderRegistry registry = ProviderRegistry.create();
    for (String type : sourceTypes) {
      registry.register(source(type, metrics));
    }
    registry.register(new ThresholdGateProvider());
    registry.register(new CanaryJudgeGateProvider());
    registry.register(new BurnRateGateProvider());
    registry.register(new CompositeGateProvider());
    registry.register(gate("http-probe", (name, c) -> metrics.probe(name)));
    for (String type : new TreeSet<>(gateTypes.values())) {
      if (!REAL.contains(type) && !type.equals("http-probe")) {
        registry.register(gate(type, (name, c) -> passing(name)));
      }
    }
    Map<String, HealthGate> out = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, ProviderSpec> g : spec.gates().entrySet()) {
        out.put(g.getKey(), registry.healthGate(g.getValue().type(), g.getValue().config()));
      }
    } catch (InvalidSpecException e) {
      throw spec.locate(e);
    }
    return out;
  }

  private interface GateFactory {
    HealthGate create(String name, ProviderConfig config);
  }

  private static HealthGateProvider gate(String type, GateFactory factory) {
    return new HealthGateProvider() {
      @Override
      public String name() {
        return type;
      }

      @Override
      public HealthGate create(ProviderConfig config, ProviderContext context) {
        return factory.create(config.getString("name", type), config);
      }
    };
  }

  private static MetricSourceProvider source(String type, MetricSource metrics) {
    return new MetricSourceProvider() {
      @Override
      public String name() {
        return type;
      }

      @Override
      public MetricSource create(ProviderConfig config, ProviderContext context) {
        return metrics;
      }
    };
  }

  private static HealthGate passing(String name) {
    return new HealthGate() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Verdict evaluate(GateContext context) {
        return Verdict.pass("what-if: gate '" + name + "' is not modeled");
      }
    };
  }
}
