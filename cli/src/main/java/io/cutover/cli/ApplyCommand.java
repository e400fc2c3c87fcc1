// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.cutover.api.rollout.RolloutEvent;
import io.cutover.api.rollout.RolloutState;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.cli.internal.client.AdminClient;
import io.cutover.core.Rollout;
import io.cutover.spec.CutoverSpec;
import io.cutover.spec.SpecEngine;
import io.cutover.spec.SpecPlan;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code cutover apply <spec>}: runs the spec's rollout in this process and prints one line per
 * event (steps, traffic, verdicts, pauses). Exit 0 when it succeeded, 3 when it was aborted, 1 on
 * an error. The engine lives as long as the command: a pause until approval waits here, and
 * instances of a local-process fleet are children of this process.
 *
 * <p>With {@code --server}, the spec is posted to a {@code cutover serve} instead, which runs the
 * rollout; the command returns once it started (exit 0), and the operator verbs follow it.
 */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    description =
        "Run the rollout of a cutover.yaml in this process, printing progress lines. Exit 0"
            + " succeeded, 3 aborted, 1 error, 2 bad input. With --server: post the spec to a"
            + " server, which runs it; exit 0 once it started.")
final class ApplyCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "<spec>", description = "The spec file, e.g. cutover.yaml.")
  Path file = Path.of("cutover.yaml");

  @Mixin ServerOptions remote = new ServerOptions();

  private final Cli cli;
  private final InstantSource clock = InstantSource.system();

  ApplyCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() throws IOException {
    if (remote.server != null) {
      return applyOnServer();
    }
    CutoverSpec spec = CutoverSpec.parse(file);
    PrintStream out = cli.out();
    Instant begin = clock.instant();
    AtomicReference<String> rolloutId = new AtomicReference<>("");
    try (SpecEngine engine =
        SpecEngine.open(
            spec,
            cli.registry().get(),
            b -> b.autoResume(false).listener(e -> progress(out, begin, e)))) {
      SpecPlan plan = engine.plan();
      if (plan.unchanged()) {
        out.println(
            "nothing to do: "
                + plan.target().id()
                + " is already the stable release of "
                + spec.service());
        return Cli.OK;
      }
      plan.diff().forEach(l -> out.println(l));
      Rollout rollout = engine.apply(plan);
      rolloutId.set(rollout.id());
      Thread hook = new Thread(() -> interrupted(engine, rollout), "cutover-apply-interrupt");
      Runtime.getRuntime().addShutdownHook(hook);
      RolloutStatus end;
      try {
        end = rollout.completion().toCompletableFuture().join();
      } finally {
        removeHook(hook);
      }
      out.println(
          "rollout "
              + end.rolloutId()
              + " "
              + end.state()
              + (end.reason() == null ? "" : ": " + end.reason())
              + "; stable release of "
              + spec.service()
              + ": "
              + engine.cutover().stable(spec.service()).map(r -> r.id()).orElse("none"));
      return end.state() == RolloutState.SUCCEEDED ? Cli.OK : Cli.ABORTED;
    }
  }

  /** Checks the spec here (bad input fails before any request), then posts it. */
  private Integer applyOnServer() throws IOException {
    AdminClient client = remote.client(cli);
    CutoverSpec spec = CutoverSpec.parse(file);
    JsonNode answer = client.post("/api/v1/specs", Files.readAllBytes(file), "application/yaml");
    if (remote.json()) {
      cli.out().println(answer.toPrettyString());
      return Cli.OK;
    }
    if (answer.path("unchanged").asBoolean()) {
      cli.out().println("nothing to do: " + spec.service() + " already runs this release");
      return Cli.OK;
    }
    answer.path("diff").forEach(l -> cli.out().println(l.asText()));
    cli.out().println("started: " + ServerVerbs.line(answer.path("rollout")));
    return Cli.OK;
  }

  /** Ctrl-C: pause the rollout so it stays where it is, durable in the journal, and say so. */
  private void interrupted(SpecEngine engine, Rollout rollout) {
    if (rollout.status().state().isTerminal()) {
      return;
    }
    try {
      engine.cutover().pause(rollout.id());
      cli.err()
          .println(
              "interrupted: rollout "
                  + rollout.id()
                  + " paused at step "
                  + (rollout.status().stepIndex() + 1)
                  + "/"
                  + rollout.status().stepCount()
                  + "; with a durable journal it is recovered paused by the next engine on it");
    } catch (RuntimeException e) {
      cli.err()
          .println("interrupted: rollout " + rollout.id() + " left as it was: " + e.getMessage());
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is shutting down: the hook runs.
    }
  }

  private void progress(PrintStream out, Instant begin, RolloutEvent e) {
    double seconds = Duration.between(begin, e.time()).toMillis() / 1000.0;
    StringBuilder line =
        new StringBuilder(
            String.format(
                Locale.ROOT, "%8.1fs  %-17s", seconds, e.type().name().toLowerCase(Locale.ROOT)));
    if (e.stepIndex() >= 0) {
      line.append(" step ").append(e.stepIndex() + 1);
    }
    if (e.gate() != null && e.verdict() != null) {
      line.append(" gate ").append(e.gate()).append(": ").append(e.verdict().outcome());
    }
    if (!e.message().isBlank()) {
      line.append("  ").append(e.message());
    }
    out.println(line);
  }
}
