// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.cutover.cli.internal.report.RolloutReport;
import io.cutover.cli.internal.server.ServerConfig;
import io.cutover.core.ProviderConfigs;
import io.cutover.core.journal.FileJournal;
import io.cutover.core.journal.JournalLockedException;
import io.cutover.spi.Journal;
import io.cutover.spi.JournalRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cutover report <rollout-id>}: the HTML report of any rollout, rebuilt from its journal
 * records (docs/cli.md, "report"). The records come from one of: a file journal's directory ({@code
 * --journal}), the journal a server's configuration names, PostgreSQL included ({@code --config}),
 * or a running server's admin API ({@code --server}, the default, like the operator verbs). A file
 * journal is locked by the server that writes it: while it runs, ask the server.
 */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description =
        "Write the HTML report of a rollout (traffic weights over time, gate verdicts, events,"
            + " exposure, time to rollback) from the journal: --journal <dir>, --config"
            + " <server.yaml>, or a server's admin API (--server, the default).")
final class ReportCommand implements Callable<Integer> {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:@-]{1,200}");

  @Parameters(index = "0", paramLabel = "<rollout-id>", description = "The rollout's id.")
  String id = "";

  @Option(
      names = "--journal",
      paramLabel = "<dir>",
      description = "Read a file journal's directory (not while a server writes to it).")
  @Nullable Path journal;

  @Option(
      names = "--config",
      paramLabel = "<file>",
      description =
          "Read the journal a server's configuration names (file or postgres; its token variable"
              + " must be set, as for the server).")
  @Nullable Path config;

  @Option(
      names = "--out",
      paramLabel = "<file.html>",
      description = "Where to write the report (default: <rollout-id>.html).")
  @Nullable Path out;

  @Mixin ServerOptions server = new ServerOptions();

  @Spec @Nullable CommandSpec spec;

  private final Cli cli;

  ReportCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() throws IOException {
    CommandLine cl = Objects.requireNonNull(spec, "picocli injects the spec").commandLine();
    if (!ID.matcher(id).matches()) {
      throw new ParameterException(
          cl, "'" + id + "' is not a rollout id (fix: copy it from 'cutover list' or 'history')");
    }
    int sources = (journal != null ? 1 : 0) + (config != null ? 1 : 0);
    if (sources > 1 || (sources == 1 && server.server != null)) {
      throw new ParameterException(
          cl, "give one of --journal, --config and --server (fix: name one journal to read)");
    }
    Path target = out != null ? out : Path.of(id + ".html");
    Path parent = target.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new ParameterException(
          cl, "--out " + target + ": no directory " + parent + " (fix: create it first)");
    }
    List<JournalRecord> records;
    String where;
    if (journal != null) {
      where = "the journal at " + journal;
      records = fromFileJournal(cl, journal, id);
    } else if (config != null) {
      ServerConfig cfg = ServerConfig.load(config, cli.env());
      where = "the " + cfg.journalType() + " journal of " + config;
      try (Journal j =
          cli.registry()
              .get()
              .journal(
                  cfg.journalType(),
                  ProviderConfigs.of(cfg.journalType(), "$.journal", cfg.journalConfig()))) {
        records = j.records(id);
      } catch (JournalLockedException e) {
        throw locked(cl, "the journal of " + config);
      }
    } else {
      where = "the server";
      records = fromServer(server.client(cli).get("/api/v1/rollouts/" + id + "/records"));
    }
    if (records.isEmpty()) {
      throw new ParameterException(
          cl,
          "no rollout '"
              + id
              + "' in "
              + where
              + " (fix: check the id with 'cutover list' or 'cutover history <service>'; the"
              + " records of old ended rollouts are compacted into summaries)");
    }
    String html;
    try {
      html = RolloutReport.html(records);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          cl,
          e.getMessage()
              + " in "
              + where
              + " (fix: the report needs the rollout's records from its start)");
    }
    Files.writeString(target, html, StandardCharsets.UTF_8);
    JournalRecord last = records.get(records.size() - 1);
    cli.out()
        .println(
            "report: "
                + target
                + " (rollout "
                + id
                + " of "
                + records.get(0).service()
                + ", "
                + records.size()
                + " journal records, "
                + (last.type() == JournalRecord.Type.ENDED
                    ? last.index().getOrDefault("outcome", "ended")
                    : "not ended")
                + ")");
    return Cli.OK;
  }

  private static List<JournalRecord> fromFileJournal(CommandLine cl, Path dir, String id) {
    if (!Files.isDirectory(dir)) {
      throw new ParameterException(
          cl,
          "--journal "
              + dir
              + ": no such directory (fix: give the directory of a file journal, the 'directory'"
              + " of the journal in the spec or server configuration)");
    }
    try (FileJournal j = FileJournal.open(dir)) {
      return j.records(id);
    } catch (JournalLockedException e) {
      throw locked(cl, dir.toString());
    }
  }

  private static ParameterException locked(CommandLine cl, String what) {
    return new ParameterException(
        cl,
        what
            + " is in use by a running process (fix: ask the server that writes it with --server,"
            + " or stop that process first)");
  }

  /** The admin API's records ({@code GET /api/v1/rollouts/{id}/records}) as journal records. */
  static List<JournalRecord> fromServer(JsonNode answer) {
    List<JournalRecord> out = new ArrayList<>();
    for (JsonNode r : answer.path("records")) {
      Map<String, String> index = new LinkedHashMap<>();
      r.path("index").fields().forEachRemaining(f -> index.put(f.getKey(), f.getValue().asText()));
      JsonNode op = r.get("operationId");
      JsonNode payload = r.path("payload");
      out.add(
          new JournalRecord(
              r.path("sequence").asLong(),
              Instant.parse(r.path("time").asText()),
              r.path("rolloutId").asText(),
              r.path("service").asText(),
              JournalRecord.Type.valueOf(r.path("type").asText()),
              op == null || op.isNull() ? null : op.asText(),
              payload.isTextual() ? payload.asText() : payload.toString(),
              index));
    }
    return out;
  }
}
