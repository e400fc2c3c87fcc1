// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code cutover} command. */
@Command(
    name = "cutover",
    mixinStandardHelpOptions = true,
    version = "cutover 0.1.0-SNAPSHOT",
    description =
        "Immutable deployment: sealed artifacts, progressive rollouts, automatic rollback.",
    subcommands = {DemoCommand.class, SimulateCommand.class})
public final class Main implements Runnable {

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (for tests). */
  public static int run(String... args) {
    return new CommandLine(new Main()).execute(args);
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}
