// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.support;

import io.cutover.api.InvalidSpecException;
import io.cutover.spi.ProviderConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Where a provider reads a credential (a bearer token, an HMAC key): an environment variable or a
 * file, never a literal in configuration. In configuration a secret {@code X} is given as {@code
 * XEnv: VARIABLE} or {@code XFile: /run/secrets/x}; a literal {@code X} is refused by {@link
 * #fromConfig} with a message that names the two keys and never shows the value.
 *
 * <p>The value is read on every {@link #reveal()} (so a rotated token file is picked up without a
 * restart) and never kept. A file is read up to {@value #MAX_FILE_BYTES} bytes and stripped of
 * surrounding whitespace, so the trailing newline of {@code echo token > file} does not become part
 * of the secret. {@link #toString()} says where the secret comes from, never what it is.
 *
 * <p>A helper, not a contract. Immutable and thread-safe.
 */
public final class SecretSource {
  /**
   * The largest secret file read, in bytes: a token file is small, anything larger is a mistake.
   */
  public static final int MAX_FILE_BYTES = 64 * 1024;

  private final String path;
  private final @Nullable String variable;
  private final @Nullable Path file;
  private final Function<String, @Nullable String> environment;

  private SecretSource(
      String path,
      @Nullable String variable,
      @Nullable Path file,
      Function<String, @Nullable String> environment) {
    this.path = path;
    this.variable = variable;
    this.file = file;
    this.environment = environment;
  }

  /**
   * A secret in the environment variable {@code variable}, looked up through {@code environment}
   * ({@code System::getenv} in production).
   *
   * @param path the configuration path to name in errors, e.g. {@code
   *     $.providers.prometheus.bearerTokenEnv}
   */
  public static SecretSource environment(
      String variable, Function<String, @Nullable String> environment, String path) {
    Objects.requireNonNull(variable, "variable");
    Objects.requireNonNull(environment, "environment");
    return new SecretSource(Objects.requireNonNull(path, "path"), variable, null, environment);
  }

  /**
   * A secret in a file (e.g. a mounted Kubernetes or Docker secret).
   *
   * @param path the configuration path to name in errors
   */
  public static SecretSource file(Path file, String path) {
    Objects.requireNonNull(file, "file");
    return new SecretSource(Objects.requireNonNull(path, "path"), null, file, v -> null);
  }

  /**
   * The source of secret {@code key} in {@code config}: {@code keyEnv} (an environment variable's
   * name) or {@code keyFile} (a file's path); null when neither is set. The caller lists {@code
   * key}, {@code keyEnv} and {@code keyFile} as known keys, so a literal gets this method's message
   * rather than "unknown key".
   *
   * @throws InvalidSpecException if {@code key} itself is present (a literal secret: the message
   *     never shows it), if both {@code keyEnv} and {@code keyFile} are set, or if either is blank
   */
  public static @Nullable SecretSource fromConfig(
      ProviderConfig config, String key, Function<String, @Nullable String> environment) {
    String envKey = key + "Env";
    String fileKey = key + "File";
    if (config.asMap().containsKey(key)) {
      throw new InvalidSpecException(
          config.pathOf(key),
          "holds a secret written in the configuration (value not shown); configuration is"
              + " stored, logged and reviewed, so it never holds credentials",
          "put the secret in an environment variable and set '"
              + envKey
              + "' to its name, or in a file and set '"
              + fileKey
              + "' to its path");
    }
    boolean env = config.has(envKey);
    boolean file = config.has(fileKey);
    if (env && file) {
      throw new InvalidSpecException(
          config.pathOf(envKey),
          "is set together with '" + fileKey + "'",
          "keep one of '" + envKey + "' and '" + fileKey + "'");
    }
    if (env) {
      return environment(config.requireString(envKey), environment, config.pathOf(envKey));
    }
    if (file) {
      return file(Path.of(config.requireString(fileKey)), config.pathOf(fileKey));
    }
    return null;
  }

  /**
   * Reads the secret now.
   *
   * @throws InvalidSpecException naming the configuration path if the variable is unset or empty,
   *     or the file is missing, unreadable, larger than {@value #MAX_FILE_BYTES} bytes or blank
   */
  public String reveal() {
    if (variable != null) {
      String v = environment.apply(variable);
      if (v == null || v.isBlank()) {
        throw new InvalidSpecException(
            path,
            "names the environment variable '" + variable + "', which is not set or empty",
            "export it before starting, or remove the setting");
      }
      return v.strip();
    }
    Path f = Objects.requireNonNull(file);
    byte[] bytes;
    try (InputStream in = Files.newInputStream(f)) {
      bytes = in.readNBytes(MAX_FILE_BYTES + 1);
    } catch (IOException e) {
      throw new InvalidSpecException(
          path,
          "names the file '" + f + "', which cannot be read (" + e.getClass().getSimpleName() + ")",
          "create it, readable by the engine's user, or remove the setting");
    }
    if (bytes.length > MAX_FILE_BYTES) {
      throw new InvalidSpecException(
          path,
          "names the file '" + f + "', which is larger than " + MAX_FILE_BYTES + " bytes",
          "point it at a file that holds only the secret");
    }
    String v = new String(bytes, StandardCharsets.UTF_8).strip();
    if (v.isEmpty()) {
      throw new InvalidSpecException(
          path, "names the file '" + f + "', which is empty", "write the secret into it");
    }
    return v;
  }

  /** Where the secret comes from, e.g. {@code environment variable PROM_TOKEN}; never the value. */
  @Override
  public String toString() {
    return variable != null ? "environment variable " + variable : "file " + file;
  }
}
