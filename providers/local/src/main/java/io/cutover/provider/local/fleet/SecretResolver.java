// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet;

import io.cutover.api.InvalidSpecException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Turns a secret reference ({@code ${secret:NAME}} in a release's configuration) into its value, at
 * the moment an instance is launched and nowhere else: the value goes into the process environment
 * only, never into the journal, a pid file or a log line.
 *
 * <p><b>Threading.</b> Implementations must be safe for concurrent use.
 *
 * <p><b>Errors.</b> An unknown secret is an {@link InvalidSpecException} naming it (never its
 * value).
 */
@FunctionalInterface
public interface SecretResolver {

  /** Refuses every secret: for releases whose configuration has none. */
  SecretResolver NONE =
      name -> {
        throw new InvalidSpecException(
            "secret:" + name,
            "cannot be resolved: no SecretResolver is configured",
            "configure the fleet with a SecretResolver (e.g. SecretResolver.directory(path))");
      };

  /**
   * Resolves one secret.
   *
   * @param name the name inside {@code ${secret:NAME}}
   * @return the value
   * @throws InvalidSpecException if the secret does not exist
   */
  String resolve(String name);

  /** Secrets from a fixed map: for tests and embedding code that already holds them. */
  static SecretResolver of(Map<String, String> secrets) {
    Map<String, String> copy = Map.copyOf(secrets);
    return name -> {
      String v = copy.get(name);
      if (v == null) {
        throw new InvalidSpecException(
            "secret:" + name,
            "is not among the configured secrets",
            "add it to the map given to SecretResolver.of");
      }
      return v;
    };
  }

  /**
   * Secrets as files, one per name, as mounted by Docker, Kubernetes or systemd credentials: the
   * value of {@code NAME} is the content of {@code dir/NAME} without a trailing newline.
   */
  static SecretResolver directory(Path dir) {
    return name -> {
      Path file = dir.resolve(name).normalize();
      if (!file.startsWith(dir.normalize()) || name.contains("/")) {
        throw new InvalidSpecException(
            "secret:" + name, "is not a plain file name", "use a name without '/'");
      }
      try {
        return Files.readString(file, StandardCharsets.UTF_8).stripTrailing();
      } catch (IOException e) {
        throw new InvalidSpecException(
            "secret:" + name,
            "cannot be read from " + file + " (" + e.getClass().getSimpleName() + ")",
            "create the file, readable by the engine's user");
      }
    };
  }
}
