// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import io.cutover.cli.internal.server.Server;
import io.cutover.cli.internal.server.ServerConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cutover serve --config server.yaml}: a long-running engine with the admin HTTP API
 * (docs/cli.md, "serve"). Runs until the process is stopped (SIGTERM, Ctrl-C): then the API stops,
 * and rollouts stop where they are, durable in the journal, for the next server to continue.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description =
        "Run the engine as a server: specs from a directory or posted to the admin HTTP API,"
            + " bearer token required, Prometheus metrics at /metrics. Runs until stopped.")
final class ServeCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      required = true,
      paramLabel = "<file>",
      description = "The server's configuration file (docs/cli.md, 'serve').")
  Path config = Path.of("server.yaml");

  private final Cli cli;

  ServeCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() throws Exception {
    ServerConfig cfg = ServerConfig.load(config, cli.env());
    Server server;
    try {
      server = Server.start(cfg, cli.registry());
    } catch (RuntimeException e) {
      int code = Main.report(cli.err(), "cutover serve", e);
      for (Throwable t : e.getSuppressed()) {
        if (t instanceof Exception other) {
          code = Math.max(code, Main.report(cli.err(), "cutover serve", other));
        }
      }
      return code;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              server.close();
              stopped.countDown();
            },
            "cutover-serve-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    cli.out()
        .println(
            "cutover serve: listening on "
                + server.url()
                + " (services "
                + server.services().services()
                + ", journal "
                + cfg.journalType()
                + ", token from "
                + cfg.token().source()
                + ", metrics at "
                + server.url()
                + "/metrics)");
    stopped.await();
    return Cli.OK;
  }
}
