// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import io.cutover.api.InvalidSpecException;
import io.cutover.cli.internal.client.AdminClient;
import io.cutover.spec.SpecException;
import io.cutover.spec.SpecProblem;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * Entry point of the {@code cutover} command.
 *
 * <p>Exit codes (docs/cli.md): 0 done, 1 error while working, 2 bad input (refused before any work,
 * one line per problem on stderr: what, where, how to fix), 3 rollout aborted. {@code --verbose}
 * adds the stack trace of an error.
 */
@Command(
    name = "cutover",
    mixinStandardHelpOptions = true,
    version = "cutover 0.1.0-SNAPSHOT",
    description =
        "Immutable deployment: sealed artifacts, progressive rollouts, automatic rollback.",
    subcommands = {
      ValidateCommand.class,
      PlanCommand.class,
      ApplyCommand.class,
      DemoCommand.class,
      SimulateCommand.class,
      ServeCommand.class,
      ReportCommand.class,
      ServerVerbs.Status.class,
      ServerVerbs.ListRollouts.class,
      ServerVerbs.History.class,
      ServerVerbs.Abort.class,
      ServerVerbs.Promote.class,
      ServerVerbs.Pause.class,
      ServerVerbs.Resume.class,
      ServerVerbs.Approve.class,
      ServerVerbs.Rollback.class,
      ServerVerbs.Retry.class
    })
public final class Main implements Runnable {
  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "On an error, print the stack trace too.")
  boolean verbose;

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (for tests). */
  public static int run(String... args) {
    return run(Cli.system(), args);
  }

  /** Runs the command line with the given streams and providers; returns the exit code. */
  static int run(Cli cli, String... args) {
    boolean verbose = Arrays.asList(args).contains("--verbose");
    CommandLine cl = new CommandLine(new Main(), factory(cli));
    cl.setOut(new PrintWriter(cli.out(), true, StandardCharsets.UTF_8));
    cl.setErr(new PrintWriter(cli.err(), true, StandardCharsets.UTF_8));
    cl.setParameterExceptionHandler(
        (e, a) -> {
          String name = e.getCommandLine().getCommandSpec().qualifiedName();
          cli.err().println(name + ": " + e.getMessage() + " (fix: see '" + name + " --help')");
          if (verbose) {
            e.printStackTrace(cli.err());
          }
          return Cli.USAGE;
        });
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          int code = report(cli.err(), cmd.getCommandSpec().qualifiedName(), e);
          if (verbose) {
            e.printStackTrace(cli.err());
          }
          return code;
        });
    return cl.execute(args);
  }

  /** One line per problem; the exit code that fits. */
  static int report(PrintStream err, String command, Exception e) {
    if (e instanceof AdminClient.Failure f) {
      err.println(command + ": " + f.getMessage());
      for (String p : f.problems()) {
        err.println("  " + p);
      }
      return f.exitCode();
    }
    if (e instanceof SpecException se) {
      for (SpecProblem p : se.problems()) {
        err.println(p);
      }
      return Cli.USAGE;
    }
    if (e instanceof InvalidSpecException ise) {
      for (InvalidSpecException.Violation v : ise.violations()) {
        err.println(command + ": " + v);
      }
      return Cli.USAGE;
    }
    String message = e.getMessage();
    err.println(
        command
            + ": error: "
            + e.getClass().getSimpleName()
            + (message == null ? "" : ": " + message.lines().findFirst().orElse(""))
            + " (run again with --verbose for the stack trace)");
    return Cli.ERROR;
  }

  /** Creates commands with the CLI's streams and providers when they take them. */
  private static CommandLine.IFactory factory(Cli cli) {
    CommandLine.IFactory fallback = CommandLine.defaultFactory();
    return new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> cls) throws Exception {
        for (Constructor<?> c : cls.getDeclaredConstructors()) {
          Class<?>[] p = c.getParameterTypes();
          if (p.length == 1 && p[0] == Cli.class) {
            return cls.cast(c.newInstance(cli));
          }
        }
        for (Constructor<?> c : cls.getDeclaredConstructors()) {
          Class<?>[] p = c.getParameterTypes();
          if (p.length == 2 && p[0] == PrintStream.class && p[1] == PrintStream.class) {
            return cls.cast(c.newInstance(cli.out(), cli.err()));
          }
        }
        return fallback.create(cls);
      }
    };
  }

  @Spec @Nullable CommandSpec spec;

  @Override
  public void run() {
    CommandLine cl = Objects.requireNonNull(spec, "picocli injects the spec").commandLine();
    cl.usage(cl.getOut());
  }
}
