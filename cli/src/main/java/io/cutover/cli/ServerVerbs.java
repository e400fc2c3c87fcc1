// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.cli.internal.client.AdminClient;
import io.cutover.cli.internal.server.Json;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
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
 * The operator verbs: each one request to a {@code cutover serve} admin API (docs/cli.md). Human
 * output by default, the server's JSON with {@code --output json}. Exit 0 done; 1 the server cannot
 * be reached, refused the token or failed; 2 bad input (also when the server refuses the request as
 * such: unknown rollout, bad body).
 */
final class ServerVerbs {
  private ServerVerbs() {}

  /** What every verb shares: the options, the client, the printing. */
  abstract static class Verb implements Callable<Integer> {
    @Mixin ServerOptions server = new ServerOptions();

    @Spec @Nullable CommandSpec spec;

    final Cli cli;

    Verb(Cli cli) {
      this.cli = cli;
    }

    @Override
    public final Integer call() {
      AdminClient client = server.client(cli);
      JsonNode answer = request(client);
      if (server.json()) {
        cli.out().println(answer.toPrettyString());
      } else {
        print(cli.out(), answer);
      }
      return Cli.OK;
    }

    abstract JsonNode request(AdminClient client);

    abstract void print(PrintStream out, JsonNode answer);

    CommandLine commandLine() {
      return Objects.requireNonNull(spec, "picocli injects the spec").commandLine();
    }
  }

  /** A verb on one rollout: POST /api/v1/rollouts/{id}/{verb}. */
  abstract static class RolloutVerb extends Verb {
    @Parameters(index = "0", paramLabel = "<rollout-id>", description = "The rollout's id.")
    String id = "";

    RolloutVerb(Cli cli) {
      super(cli);
    }

    abstract String verb();

    JsonNode body() {
      return Json.MAPPER.createObjectNode();
    }

    @Override
    JsonNode request(AdminClient client) {
      return client.post("/api/v1/rollouts/" + segment(id) + "/" + verb(), body());
    }

    @Override
    void print(PrintStream out, JsonNode answer) {
      out.println(verb() + ": " + line(answer));
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "A rollout's status on a server: state, step, traffic, reason.")
  static final class Status extends Verb {
    @Parameters(index = "0", paramLabel = "<rollout-id>", description = "The rollout's id.")
    String id = "";

    Status(Cli cli) {
      super(cli);
    }

    @Override
    JsonNode request(AdminClient client) {
      return client.get("/api/v1/rollouts/" + segment(id));
    }

    @Override
    void print(PrintStream out, JsonNode s) {
      out.println("rollout  " + s.path("rolloutId").asText());
      out.println("service  " + s.path("service").asText());
      out.println("state    " + s.path("state").asText());
      out.println("step     " + step(s) + "  " + s.path("currentStep").asText());
      out.println(
          "target   "
              + s.path("target").asText()
              + (s.path("stable").isTextual()
                  ? " (stable " + s.path("stable").asText() + ")"
                  : ""));
      out.println("traffic  " + traffic(s.path("split")));
      out.println("started  " + s.path("startedAt").asText());
      out.println("updated  " + s.path("updatedAt").asText());
      if (s.path("reason").isTextual()) {
        out.println("reason   " + s.path("reason").asText());
      }
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "The active rollouts of a server.")
  static final class ListRollouts extends Verb {
    ListRollouts(Cli cli) {
      super(cli);
    }

    @Override
    JsonNode request(AdminClient client) {
      return client.get("/api/v1/rollouts");
    }

    @Override
    void print(PrintStream out, JsonNode answer) {
      JsonNode list = answer.path("rollouts");
      if (list.isEmpty()) {
        out.println("no active rollouts");
        return;
      }
      table(
          out,
          list,
          List.of("ROLLOUT", "SERVICE", "STATE", "STEP", "TRAFFIC"),
          s ->
              List.of(
                  s.path("rolloutId").asText(),
                  s.path("service").asText(),
                  s.path("state").asText(),
                  step(s),
                  traffic(s.path("split"))));
    }
  }

  @Command(
      name = "history",
      mixinStandardHelpOptions = true,
      description = "A service's finished rollouts on a server, oldest first.")
  static final class History extends Verb {
    @Parameters(index = "0", paramLabel = "<service>", description = "The service.")
    String service = "";

    History(Cli cli) {
      super(cli);
    }

    @Override
    JsonNode request(AdminClient client) {
      return client.get("/api/v1/services/" + segment(service) + "/history");
    }

    @Override
    void print(PrintStream out, JsonNode answer) {
      JsonNode list = answer.path("history");
      if (list.isEmpty()) {
        out.println("no finished rollouts of " + service);
        return;
      }
      table(
          out,
          list,
          List.of("ROLLOUT", "STATE", "TARGET", "ENDED", "REASON"),
          s ->
              List.of(
                  s.path("rolloutId").asText(),
                  s.path("state").asText(),
                  s.path("target").asText(),
                  s.path("updatedAt").asText(),
                  s.path("reason").asText("")));
    }
  }

  @Command(
      name = "abort",
      mixinStandardHelpOptions = true,
      description =
          "Abort a rollout on a server (traffic to 100 % stable first, then the target retires),"
              + " or every active rollout with --all.")
  static final class Abort extends Verb {
    @Parameters(
        index = "0",
        arity = "0..1",
        paramLabel = "<rollout-id>",
        description = "The rollout's id (or --all).")
    @Nullable String id;

    @Option(names = "--all", description = "Abort every active rollout of the server.")
    boolean all;

    @Option(names = "--reason", paramLabel = "<text>", description = "Why (journaled).")
    @Nullable String reason;

    Abort(Cli cli) {
      super(cli);
    }

    @Override
    JsonNode request(AdminClient client) {
      if (all == (id != null)) {
        throw new ParameterException(
            commandLine(),
            all
                ? "--all and a rollout id were both given (fix: give one of them)"
                : "no rollout id (fix: give one, e.g. 'cutover abort shop-m1x2-1', or --all)");
      }
      ObjectNode body = Json.MAPPER.createObjectNode();
      if (reason != null) {
        body.put("reason", reason);
      }
      return all
          ? client.post("/api/v1/abort-all", body)
          : client.post("/api/v1/rollouts/" + segment(Objects.requireNonNull(id)) + "/abort", body);
    }

    @Override
    void print(PrintStream out, JsonNode answer) {
      if (all) {
        JsonNode ids = answer.path("aborted");
        out.println(
            ids.isEmpty()
                ? "abort --all: no active rollouts"
                : "abort --all: aborting " + join(ids));
      } else {
        out.println("abort: " + line(answer));
      }
    }
  }

  @Command(
      name = "promote",
      mixinStandardHelpOptions = true,
      description =
          "Promote a rollout on a server: skip the analysis or pause it waits in (--full: every"
              + " remaining one).")
  static final class Promote extends RolloutVerb {
    @Option(names = "--full", description = "Skip every remaining analysis and pause.")
    boolean full;

    Promote(Cli cli) {
      super(cli);
    }

    @Override
    String verb() {
      return "promote";
    }

    @Override
    JsonNode body() {
      return Json.MAPPER.createObjectNode().put("full", full);
    }
  }

  @Command(
      name = "pause",
      mixinStandardHelpOptions = true,
      description = "Pause a rollout on a server at its next step boundary.")
  static final class Pause extends RolloutVerb {
    Pause(Cli cli) {
      super(cli);
    }

    @Override
    String verb() {
      return "pause";
    }
  }

  @Command(
      name = "resume",
      mixinStandardHelpOptions = true,
      description = "Resume a paused rollout on a server.")
  static final class Resume extends RolloutVerb {
    Resume(Cli cli) {
      super(cli);
    }

    @Override
    String verb() {
      return "resume";
    }
  }

  @Command(
      name = "approve",
      mixinStandardHelpOptions = true,
      description = "Approve a rollout that waits for approval on a server.")
  static final class Approve extends RolloutVerb {
    Approve(Cli cli) {
      super(cli);
    }

    @Override
    String verb() {
      return "approve";
    }
  }

  @Command(
      name = "retry",
      mixinStandardHelpOptions = true,
      description = "Retry an aborted rollout on a server: a new rollout of the same plan.")
  static final class Retry extends RolloutVerb {
    Retry(Cli cli) {
      super(cli);
    }

    @Override
    String verb() {
      return "retry";
    }
  }

  @Command(
      name = "rollback",
      mixinStandardHelpOptions = true,
      description =
          "Roll a service back to the release before its stable one, on a server (a new rollout,"
              + " no analysis).")
  static final class Rollback extends Verb {
    @Parameters(index = "0", paramLabel = "<service>", description = "The service.")
    String service = "";

    Rollback(Cli cli) {
      super(cli);
    }

    @Override
    JsonNode request(AdminClient client) {
      return client.post(
          "/api/v1/services/" + segment(service) + "/rollback", Json.MAPPER.createObjectNode());
    }

    @Override
    void print(PrintStream out, JsonNode answer) {
      out.println("rollback: " + line(answer));
    }
  }

  // ------------------------------------------------------------------ formatting

  /** One line: id, state, step, traffic. */
  static String line(JsonNode s) {
    if (s.path("state").asText().equals("SENT")) {
      // A rollout another server replica drives: the command went to that replica.
      return s.path("rolloutId").asText() + " " + s.path("reason").asText();
    }
    return s.path("rolloutId").asText()
        + " "
        + s.path("state").asText()
        + ", step "
        + step(s)
        + ", traffic "
        + traffic(s.path("split"))
        + (s.path("reason").isTextual() ? " (" + s.path("reason").asText() + ")" : "");
  }

  static String step(JsonNode s) {
    int i = s.path("stepIndex").asInt(-1);
    return (i < 0 ? "-" : Integer.toString(i + 1)) + "/" + s.path("stepCount").asInt();
  }

  static String traffic(JsonNode split) {
    if (!split.isObject() || split.isEmpty()) {
      return "none";
    }
    List<String> parts = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = split.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      parts.add(e.getKey() + " " + String.format(Locale.ROOT, "%.2f%%", e.getValue().asDouble()));
    }
    return String.join(", ", parts);
  }

  private static String join(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return String.join(", ", out);
  }

  private interface Row {
    List<String> cells(JsonNode item);
  }

  private static void table(PrintStream out, JsonNode items, List<String> header, Row row) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(header);
    items.forEach(i -> rows.add(row.cells(i)));
    int[] width = new int[header.size()];
    for (List<String> r : rows) {
      for (int c = 0; c < r.size(); c++) {
        width[c] = Math.max(width[c], r.get(c).length());
      }
    }
    for (List<String> r : rows) {
      StringBuilder sb = new StringBuilder();
      for (int c = 0; c < r.size(); c++) {
        String cell = r.get(c);
        sb.append(cell);
        if (c < r.size() - 1) {
          sb.append(" ".repeat(width[c] - cell.length() + 2));
        }
      }
      out.println(sb.toString().stripTrailing());
    }
  }

  /** A path segment: ids and service names are plain, but never trust input into a path. */
  static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
