// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.core.ProviderConfigs;
import io.cutover.core.ProviderRegistry;
import io.cutover.spi.Journal;
import io.cutover.spi.JournalProvider;
import io.cutover.spi.JournalRecord;
import io.cutover.testfixtures.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code postgres} journal provider: discovery, configuration errors, secrets, a real open. */
class PostgresJournalProviderTest {
  private static final String SECRET = "s3cr3t-Pa55word-never-printed";

  @TempDir Path dir;

  private static Journal create(Map<String, Object> config, Map<String, String> env) {
    return new PostgresJournalProvider(env::get)
        .create(
            ProviderConfigs.of("postgres", "$.journal", config),
            ProviderRegistry.create().context());
  }

  private static Map<String, Object> valid() {
    Map<String, Object> m = new HashMap<>();
    m.put("url", "jdbc:postgresql://127.0.0.1:1/cutover");
    m.put("user", "cutover");
    return m;
  }

  @Test
  @DisplayName("is discovered with ServiceLoader under the name postgres")
  void discovered() {
    assertThat(ServiceLoader.load(JournalProvider.class).stream().map(p -> p.get().name()))
        .contains("postgres");
  }

  @Test
  @DisplayName("each wrong key is named in the error, with how to fix it, before any connection")
  void errorsNameTheKey() {
    Map<String, Object> inline = valid();
    inline.put("password", SECRET);
    assertThatThrownBy(() -> create(inline, Map.of()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("$.journal.password")
        .hasMessageContaining("passwordFile")
        .hasMessageNotContaining(SECRET);

    Map<String, Object> inUrl = valid();
    inUrl.put("url", "jdbc:postgresql://h/db?password=" + SECRET);
    assertThatThrownBy(() -> create(inUrl, Map.of()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("$.journal.url")
        .hasMessageNotContaining(SECRET);

    Map<String, Object> notPg = valid();
    notPg.put("url", "jdbc:mysql://h/db");
    assertThatThrownBy(() -> create(notPg, Map.of())).hasMessageContaining("$.journal.url");

    Map<String, Object> missingUrl = valid();
    missingUrl.remove("url");
    assertThatThrownBy(() -> create(missingUrl, Map.of())).hasMessageContaining("$.journal.url");

    Map<String, Object> typo = valid();
    typo.put("leaseTTL", "10s");
    assertThatThrownBy(() -> create(typo, Map.of())).hasMessageContaining("$.journal.leaseTTL");

    Map<String, Object> slowHeartbeat = valid();
    slowHeartbeat.put("leaseTtl", "6s");
    slowHeartbeat.put("heartbeat", "3s");
    assertThatThrownBy(() -> create(slowHeartbeat, Map.of()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("$.journal.heartbeat")
        .hasMessageContaining("a third of leaseTtl");

    Map<String, Object> pool = valid();
    pool.put("poolSize", 1);
    assertThatThrownBy(() -> create(pool, Map.of())).hasMessageContaining("$.journal.poolSize");

    Map<String, Object> unsetEnv = valid();
    unsetEnv.put("passwordEnv", "CUTOVER_DB_PASSWORD");
    assertThatThrownBy(() -> create(unsetEnv, Map.of()))
        .hasMessageContaining("$.journal.passwordEnv")
        .hasMessageContaining("CUTOVER_DB_PASSWORD");

    Map<String, Object> missingFile = valid();
    missingFile.put("passwordFile", dir.resolve("absent").toString());
    assertThatThrownBy(() -> create(missingFile, Map.of()))
        .hasMessageContaining("$.journal.passwordFile");

    Map<String, Object> schema = valid();
    schema.put("schema", "x; drop table y");
    assertThatThrownBy(() -> create(schema, Map.of())).hasMessageContaining("$.journal.schema");
  }

  @Test
  @DisplayName("an unreachable database is a retryable ProviderException without the password")
  void unreachable() throws Exception {
    Path secret = dir.resolve("pw");
    Files.writeString(secret, SECRET + "\n");
    Map<String, Object> config = valid();
    config.put("passwordFile", secret.toString());
    config.put("connectTimeout", "1s");
    assertThatThrownBy(() -> create(config, Map.of()))
        .isInstanceOf(ProviderException.class)
        .satisfies(e -> assertThat(((ProviderException) e).retryable()).isTrue())
        .hasMessageContaining("127.0.0.1:1")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  @DisplayName("opens a working journal from configuration, credentials from the environment")
  void opensFromConfiguration() {
    PostgresServer server = SharedPostgres.server();
    Map<String, Object> config = new HashMap<>();
    config.put("url", server.jdbcUrl());
    config.put("userEnv", "PGUSER_FOR_TEST");
    config.put("passwordEnv", "PGPASSWORD_FOR_TEST");
    config.put("schema", SharedPostgres.freshSchema("provider"));
    config.put("poolSize", "4");
    config.put("leaseTtl", "3s");
    config.put("heartbeat", "1s");
    config.put("replica", "provider-test");
    try (Journal j =
        create(
            config,
            Map.of("PGUSER_FOR_TEST", server.user(), "PGPASSWORD_FOR_TEST", "trust-ignores-it"))) {
      assertThat(j).isInstanceOf(ReplicaJournal.class);
      PostgresJournal pg = ((ReplicaJournal) j).journal();
      assertThat(pg.replica()).isEqualTo("provider-test");
      assertThat(pg.toString()).doesNotContain("trust-ignores-it");
      // A replica appends only for rollouts it owns: taking the lease makes it the owner.
      assertThat(j.tryLease("svc", "r1")).isTrue();
      JournalRecord r =
          j.append(
              JournalRecord.of(
                  Instant.parse("2026-01-01T00:00:00.123456789Z"),
                  "r1",
                  "svc",
                  JournalRecord.Type.CREATED,
                  null,
                  "{}"));
      assertThat(j.records("r1")).containsExactly(r);
      assertThat(r.time().getNano()).isEqualTo(123456789);
    }
  }
}
