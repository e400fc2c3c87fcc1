// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import io.cutover.core.ProviderRegistry;
import java.io.PrintStream;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What a command talks to: its standard output and error, and where providers come from (the class
 * path's, by {@link java.util.ServiceLoader} discovery; a test passes recording ones).
 *
 * @param out where results go
 * @param err where problems go: one line each
 * @param registry a new provider registry per command
 * @param env the environment variables (the server's token, {@code CUTOVER_TOKEN}); a test passes
 *     its own
 */
record Cli(
    PrintStream out,
    PrintStream err,
    Supplier<ProviderRegistry> registry,
    Function<String, @Nullable String> env) {

  /** With the process's environment. */
  Cli(PrintStream out, PrintStream err, Supplier<ProviderRegistry> registry) {
    this(out, err, registry, System::getenv);
  }

  /** Exit code: done. */
  static final int OK = 0;

  /** Exit code: an error while working (a provider failed, the artifact is missing...). */
  static final int ERROR = 1;

  /** Exit code: bad input, refused before any work started. */
  static final int USAGE = 2;

  /** Exit code: the rollout ran and was aborted (a gate failed, or someone aborted it). */
  static final int ABORTED = 3;

  /** The process's streams and discovered providers. */
  static Cli system() {
    return new Cli(System.out, System.err, () -> ProviderRegistry.create().withDiscovery());
  }
}
