// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import io.cutover.spec.CutoverSpec;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code cutover validate <spec>}: parses the spec and checks that every provider it names exists
 * and every gate accepts its settings. Touches no system: no network, no file besides the spec (and
 * its verification key files).
 */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description =
        "Check a cutover.yaml: syntax, keys, types, strategy rules, gate and provider names, gate"
            + " settings. No network. Exit 0 if valid, 2 with one line per problem if not.")
final class ValidateCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "<spec>", description = "The spec file, e.g. cutover.yaml.")
  Path file = Path.of("cutover.yaml");

  private final Cli cli;

  ValidateCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    CutoverSpec spec = CutoverSpec.parse(file);
    spec.check(cli.registry().get());
    cli.out()
        .println(
            "valid: "
                + file
                + ": service "
                + spec.service()
                + ", "
                + spec.strategy().name()
                + ", "
                + spec.replicas()
                + " replicas, "
                + spec.gates().size()
                + " gates, fleet "
                + spec.fleet().type()
                + ", router "
                + spec.router().type());
    return Cli.OK;
  }
}
