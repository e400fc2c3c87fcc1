// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import io.cutover.api.InvalidSpecException;
import io.cutover.spi.Journal;
import io.cutover.spi.JournalProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The {@code postgres} journal provider: a {@link PostgresJournal} shared by engine replicas, seen
 * through this replica's {@link ReplicaJournal} (fenced appends per rollout, takeover of rollouts
 * whose owner died).
 *
 * <pre>
 * journal:
 *   provider: postgres
 *   url: jdbc:postgresql://db:5432/cutover   # required; no password in it
 *   user: cutover                            # or userEnv: NAME
 *   passwordFile: /run/secrets/cutover-db    # or passwordEnv: NAME (never inline)
 *   schema: cutover                          # default cutover
 *   poolSize: 10                             # default 10
 *   leaseTtl: 15s                            # default 15s
 *   heartbeat: 5s                            # default 5s; at most a third of leaseTtl
 *   replica: deploy-7f9c                     # default a random id per process
 *   connectTimeout: 10s                      # default 10s
 * </pre>
 *
 * Any other key is refused (it is almost always a typo), and so is a password written inline or in
 * the URL: credentials come from a file or the environment, and never appear in a message or a log.
 * Every problem names its key. Registered for {@link java.util.ServiceLoader}; stateless and
 * thread-safe.
 */
public final class PostgresJournalProvider implements JournalProvider {
  private static final Set<String> KEYS =
      Set.of(
          "url",
          "user",
          "userEnv",
          "passwordFile",
          "passwordEnv",
          "schema",
          "poolSize",
          "leaseTtl",
          "heartbeat",
          "replica",
          "connectTimeout");

  private final Function<String, @Nullable String> env;

  /** For {@link java.util.ServiceLoader}: reads the process environment. */
  public PostgresJournalProvider() {
    this(System::getenv);
  }

  /** With another environment, for tests. */
  PostgresJournalProvider(Function<String, @Nullable String> env) {
    this.env = env;
  }

  @Override
  public String name() {
    return "postgres";
  }

  /**
   * Opens the configured journal: validates every key first, then connects.
   *
   * @throws InvalidSpecException naming the key that is missing or wrong
   * @throws io.cutover.api.ProviderException if the database cannot be reached or migrated
   */
  @Override
  public Journal create(ProviderConfig config, ProviderContext context) {
    if (config.has("password")) {
      throw new InvalidSpecException(
          config.pathOf("password"),
          "a password written in the configuration",
          "put it in a file readable only by the engine and give passwordFile, or give the name"
              + " of an environment variable as passwordEnv");
    }
    config.requireOnly(KEYS);
    String url = config.requireString("url");
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new InvalidSpecException(
          config.pathOf("url"),
          "is not a PostgreSQL JDBC URL",
          "write it as jdbc:postgresql://HOST:PORT/DATABASE");
    }
    if (url.toLowerCase(Locale.ROOT).contains("password=")) {
      throw new InvalidSpecException(
          config.pathOf("url"),
          "carries a password parameter",
          "remove it from the URL and give passwordFile or passwordEnv");
    }
    String user = config.getString("user");
    if (config.has("userEnv")) {
      if (user != null) {
        throw new InvalidSpecException(
            config.pathOf("userEnv"), "given together with user", "give only one of them");
      }
      user = fromEnv(config, "userEnv");
    }
    String password = null;
    if (config.has("passwordFile") && config.has("passwordEnv")) {
      throw new InvalidSpecException(
          config.pathOf("passwordEnv"),
          "given together with passwordFile",
          "give only one of them");
    }
    if (config.has("passwordFile")) {
      password = fromFile(config, "passwordFile");
    } else if (config.has("passwordEnv")) {
      password = fromEnv(config, "passwordEnv");
    }
    String schema = config.getString("schema", "cutover");
    if (!schema.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new InvalidSpecException(
          config.pathOf("schema"),
          "is not a plain schema name",
          "use lowercase letters, digits and _ (at most 63), starting with a letter or _");
    }
    int poolSize = config.getInt("poolSize", 10);
    if (poolSize < 2 || poolSize > 200) {
      throw new InvalidSpecException(
          config.pathOf("poolSize"), "is " + poolSize, "use 2 to 200 connections");
    }
    Duration ttl = config.getDuration("leaseTtl", Duration.ofSeconds(15));
    if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Duration.ofHours(1)) > 0) {
      throw new InvalidSpecException(
          config.pathOf("leaseTtl"),
          "is " + ttl.toMillis() + " ms",
          "use 1s to 1h (15s suits most: a dead replica's rollouts wait at most this long)");
    }
    Duration heartbeat = config.getDuration("heartbeat", Duration.ofSeconds(5));
    if (heartbeat.isNegative()
        || heartbeat.isZero()
        || heartbeat.multipliedBy(3).compareTo(ttl) > 0) {
      throw new InvalidSpecException(
          config.pathOf("heartbeat"),
          "is " + heartbeat.toMillis() + " ms with a leaseTtl of " + ttl.toMillis() + " ms",
          "use a positive heartbeat of at most a third of leaseTtl, so two heartbeats may be lost"
              + " before a lease expires");
    }
    Duration connectTimeout = config.getDuration("connectTimeout", Duration.ofSeconds(10));
    String replica =
        config.getString("replica", "replica-" + UUID.randomUUID().toString().substring(0, 8));
    return ReplicaJournal.of(
        PostgresJournal.builder(url)
            .user(user)
            .password(password)
            .schema(schema)
            .poolSize(poolSize)
            .leaseTtl(ttl)
            .heartbeat(heartbeat)
            .connectTimeout(connectTimeout)
            .replica(replica, describe())
            .open());
  }

  private static String describe() {
    return "pid "
        + ProcessHandle.current().pid()
        + " ("
        + ManagementFactory.getRuntimeMXBean().getName()
        + ")";
  }

  private String fromEnv(ProviderConfig config, String key) {
    String name = config.requireString(key);
    String value = env.apply(name);
    if (value == null || value.isEmpty()) {
      throw new InvalidSpecException(
          config.pathOf(key),
          "names the environment variable " + name + ", which is not set or empty",
          "set " + name + " in the engine's environment, or correct the name");
    }
    return value;
  }

  private static String fromFile(ProviderConfig config, String key) {
    String file = config.requireString(key);
    try {
      String value = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
      if (value.isEmpty()) {
        throw new InvalidSpecException(
            config.pathOf(key), "names the empty file " + file, "write the password into it");
      }
      return value;
    } catch (IOException | InvalidPathException e) {
      throw new InvalidSpecException(
          config.pathOf(key),
          "names " + file + ", which cannot be read (" + e.getClass().getSimpleName() + ")",
          "give the path of a file the engine can read that holds only the password");
    }
  }
}
