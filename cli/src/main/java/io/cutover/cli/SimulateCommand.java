// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Step;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.core.gate.Comparison;
import io.cutover.core.gate.NoDataPolicy;
import io.cutover.core.gate.ThresholdGate;
import io.cutover.core.strategy.CanaryStrategy;
import io.cutover.core.strategy.Strategies;
import io.cutover.simulator.RolloutHarness;
import io.cutover.simulator.RolloutResult;
import io.cutover.simulator.VirtualClock;
import io.cutover.spi.OperationId;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A canary rollout of a sample service under virtual time, on the testkit's fakes: v1 is stable, v2
 * rolls out cleanly, v3 starts answering errors, fails its gate and is rolled back automatically.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description =
        "Simulate canary rollouts under virtual time (fake fleet and router, scripted metrics).")
final class SimulateCommand implements Callable<Integer> {
  static final String SERVICE = "checkout";

  @Option(
      names = "--replicas",
      defaultValue = "4",
      description = "Instances per release (default ${DEFAULT-VALUE}).")
  int replicas;

  @Option(
      names = "--bad-error-rate",
      defaultValue = "0.05",
      description = "Error rate of the bad release v3 from minute 2 on (default ${DEFAULT-VALUE}).")
  double badErrorRate;

  @Option(
      names = "--max-error-rate",
      defaultValue = "0.01",
      description =
          "The gate's threshold: highest error rate that passes (default ${DEFAULT-VALUE}).")
  double maxErrorRate;

  @Spec @Nullable CommandSpec spec;

  private final PrintStream out;

  SimulateCommand() {
    this(System.out);
  }

  SimulateCommand(PrintStream out) {
    this.out = out;
  }

  SimulateCommand(PrintStream out, PrintStream err) {
    this(out);
  }

  /** Refuses bad options before anything runs (one line, exit code 2). */
  private void validate() {
    CommandLine cl = Objects.requireNonNull(spec, "picocli injects the spec").commandLine();
    if (replicas < 1) {
      throw new ParameterException(
          cl, "--replicas is " + replicas + " (fix: run at least 1 instance per release)");
    }
    if (!(badErrorRate >= 0 && badErrorRate <= 1)) {
      throw new ParameterException(
          cl,
          "--bad-error-rate is " + badErrorRate + " (fix: give a fraction from 0 to 1, e.g. 0.05)");
    }
    if (!(maxErrorRate >= 0 && maxErrorRate <= 1)) {
      throw new ParameterException(
          cl,
          "--max-error-rate is " + maxErrorRate + " (fix: give a fraction from 0 to 1, e.g. 0.01)");
    }
  }

  @Override
  public Integer call() {
    validate();
    out.println(
        "SIMULATION: virtual time, a fake fleet and router, scripted metrics. No real process runs and");
    out.println(
        "no real request is sent; every decision below is made by the real Cutover engine.");
    out.println();
    Instant origin = VirtualClock.DEFAULT_START;
    RolloutHarness h =
        RolloutHarness.builder()
            .startingAt(origin)
            .configure(b -> b.listener(e -> print(origin, e)))
            .gate(
                m ->
                    ThresholdGate.builder("error-rate", m)
                        .query("error_rate")
                        .passWhen(Comparison.AT_MOST, maxErrorRate)
                        .onNoData(NoDataPolicy.FAIL)
                        .build())
            .build();
    Release v1 = h.release(SERVICE, "v1");
    Release v2 = h.release(SERVICE, "v2");
    Release v3 = h.release(SERVICE, "v3");
    h.metrics()
        .series("error_rate")
        .release(v1.id())
        .constant(0.001)
        .noise(0.0002, 1)
        .release(v2.id())
        .constant(0.0012)
        .noise(0.0002, 2);
    h.fleet().launch(new OperationId("simulate/v1"), v1, replicas);
    h.cutover().adopt(v1, replicas);
    out.printf(
        Locale.ROOT,
        "%s runs %s (%d instances). Gate 'error-rate' passes while error_rate <= %.2f%%.%n",
        SERVICE,
        v1.label(),
        replicas,
        maxErrorRate * 100);
    for (Release r : new Release[] {v1, v2, v3}) {
      out.printf(Locale.ROOT, "  %s = release %s (%s)%n", r.label(), r.id(), r.artifact());
    }
    out.println();

    long wallStart = System.nanoTime();
    out.println("== rollout 1: canary of v2 (healthy)");
    RolloutResult good = h.deploy(canary(), v2, replicas);
    out.println();
    out.println("== rollout 2: canary of v3 (starts failing 2 minutes into its rollout)");
    Duration failFrom = Duration.between(origin, h.clock().instant()).plusMinutes(2);
    h.metrics()
        .series("error_rate")
        .release(v3.id())
        .constant(0.001)
        .from(failFrom, badErrorRate)
        .noise(0.0005, 3);
    RolloutResult bad = h.deploy(canary(), v3, replicas);
    long wallMillis = (System.nanoTime() - wallStart) / 1_000_000;

    out.println();
    out.println("== summary");
    out.printf(
        Locale.ROOT,
        "v2: %s after %s of virtual time; serves 100%% now%n",
        good.status().state(),
        human(good.virtualDuration()));
    out.printf(Locale.ROOT, "v3: %s — %s%n", bad.status().state(), bad.status().reason());
    out.printf(
        Locale.ROOT,
        "v3 max exposure: %.1f%% of traffic; time from failed gate to 100%% on v2: %s%n",
        bad.maxExposure(v3.id()) / 100.0,
        bad.timeToRollback().map(SimulateCommand::human).orElse("n/a"));
    out.printf(
        Locale.ROOT,
        "stable release now: %s%n",
        h.cutover().stable(SERVICE).map(Release::label).orElse("none"));
    out.printf(
        Locale.ROOT,
        "simulated %s of rollouts in %d ms of real time%n",
        human(Duration.between(origin, h.clock().instant())),
        wallMillis);
    out.println("(SIMULATION: nothing was deployed.)");
    boolean asExpected =
        good.status().state().name().equals("SUCCEEDED")
            && bad.status().state().name().equals("ABORTED")
            && h.router()
                .current(SERVICE)
                .map(s -> s.weight(v2.id()) == TrafficSplit.TOTAL)
                .orElse(false);
    h.close();
    return asExpected ? 0 : 1;
  }

  private static CanaryStrategy canary() {
    Step.Verify analysis =
        Step.Verify.gates("error-rate").count(5).interval(Duration.ofSeconds(30)).build();
    return Strategies.canary()
        .setWeight(10)
        .analysis(analysis)
        .setWeight(25)
        .analysis(analysis)
        .setWeight(50)
        .analysis(analysis)
        .build();
  }

  private void print(Instant origin, RolloutEvent e) {
    String at = human(Duration.between(origin, e.time()));
    switch (e.type()) {
      case STEP_STARTED ->
          out.printf(Locale.ROOT, "[+%s] step %d: %s%n", at, e.stepIndex(), e.message());
      case TRAFFIC_SHIFTED -> out.printf(Locale.ROOT, "[+%s]   traffic %s%n", at, e.message());
      case GATE_VERDICT -> {
        Verdict v = e.verdict();
        String value =
            v == null || v.measurements().isEmpty()
                ? ""
                : String.format(
                    Locale.ROOT, " error_rate=%.3f%%", v.measurements().get(0).value() * 100);
        out.printf(
            Locale.ROOT,
            "[+%s]   gate %s: %s%s%n",
            at,
            e.gate(),
            v == null ? "?" : v.outcome(),
            value);
      }
      case ABORT_STARTED -> out.printf(Locale.ROOT, "[+%s] ABORT: %s%n", at, e.message());
      case ROLLOUT_SUCCEEDED, ROLLOUT_ABORTED ->
          out.printf(Locale.ROOT, "[+%s] %s: %s%n", at, e.type(), e.message());
      default -> {}
    }
  }

  static String human(Duration d) {
    long s = d.toSeconds();
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }
}
