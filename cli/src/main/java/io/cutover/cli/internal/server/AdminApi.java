// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli.internal.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.RolloutConflictException;
import io.cutover.api.VerificationException;
import io.cutover.api.rollout.RolloutStatus;
import io.cutover.core.Cutover;
import io.cutover.core.Rollout;
import io.cutover.core.RolloutCommand;
import io.cutover.spec.CutoverSpec;
import io.cutover.spec.SpecEngine;
import io.cutover.spec.SpecException;
import io.cutover.spec.SpecProblem;
import io.cutover.spi.JournalRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The admin API's routes over the engines (docs/cli.md, "Admin API"). Every answer is JSON; a
 * refusal is {@code {"error": ..., "problems": [...]}} with 400 (bad input), 404 (unknown rollout
 * or service), 405, 409 (the service has an active rollout) or 422 (the artifact failed
 * verification). Authentication and size limits are the HTTP layer's ({@link AdminServer}).
 */
public final class AdminApi {
  /**
   * One request, authenticated and read.
   *
   * @param method the HTTP method
   * @param path the decoded path
   * @param body the request body, at most the configured limit
   */
  public record Request(String method, String path, byte[] body) {}

  /**
   * One answer.
   *
   * @param status the HTTP status
   * @param contentType its content type
   * @param body its bytes
   */
  public record Response(int status, String contentType, byte[] body) {
    static Response json(int status, JsonNode node) {
      return new Response(
          status,
          "application/json",
          (node.toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }

  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._:@-]{1,200}");

  private final Services services;
  private final ServerMetrics metrics;

  /** The API over these engines and metrics. */
  public AdminApi(Services services, ServerMetrics metrics) {
    this.services = services;
    this.metrics = metrics;
  }

  /** Answers a request; never throws. */
  public Response handle(Request req) {
    try {
      return route(req);
    } catch (ApiException e) {
      return Response.json(e.status(), Json.error(String.valueOf(e.getMessage()), e.problems()));
    } catch (SpecException e) {
      return Response.json(
          400,
          Json.error("invalid spec", e.problems().stream().map(SpecProblem::toString).toList()));
    } catch (InvalidSpecException e) {
      List<String> all =
          e.violations().stream().map(InvalidSpecException.Violation::toString).toList();
      return Response.json(
          400,
          all.size() == 1
              ? Json.error(all.get(0), List.of())
              : Json.error(all.size() + " problems", all));
    } catch (RolloutConflictException e) {
      return Response.json(409, Json.error(String.valueOf(e.getMessage()), List.of()));
    } catch (VerificationException e) {
      return Response.json(422, Json.error(String.valueOf(e.getMessage()), List.of()));
    }
  }

  private Response route(Request req) {
    String[] p = req.path().replaceAll("/+$", "").split("/");
    // "", "api", "v1", ...
    if (req.path().equals("/metrics")) {
      expect(req, "GET");
      return new Response(200, metrics.contentType(), metrics.scrape());
    }
    if (p.length < 4 || !p[1].equals("api") || !p[2].equals("v1")) {
      throw new ApiException(
          404, "no such endpoint: " + req.path() + " (see docs/cli.md, Admin API)");
    }
    for (int i = 3; i < p.length; i++) {
      if (!SEGMENT.matcher(p[i]).matches()) {
        throw new ApiException(400, "bad path segment '" + p[i] + "'");
      }
    }
    String what = p[3];
    switch (what) {
      case "rollouts":
        return rollouts(req, p);
      case "services":
        return services(req, p);
      case "specs":
        if (p.length == 4) {
          expect(req, "POST");
          return applySpec(req.body());
        }
        break;
      case "abort-all":
        if (p.length == 4) {
          expect(req, "POST");
          List<String> ids = services.abortAll(reason(req, "abort --all"));
          ObjectNode n = Json.MAPPER.createObjectNode();
          ArrayNode a = n.putArray("aborted");
          ids.forEach(a::add);
          return Response.json(200, n);
        }
        break;
      default:
        break;
    }
    throw new ApiException(
        404, "no such endpoint: " + req.path() + " (see docs/cli.md, Admin API)");
  }

  private Response rollouts(Request req, String[] p) {
    if (p.length == 4) {
      expect(req, "GET");
      ObjectNode n = Json.MAPPER.createObjectNode();
      n.set("rollouts", Json.statuses(services.active()));
      return Response.json(200, n);
    }
    String id = p[4];
    SpecEngine engine =
        services
            .owner(id)
            .orElseThrow(
                () ->
                    new ApiException(
                        404,
                        "no rollout '"
                            + id
                            + "' on this server (fix: see 'cutover list' and"
                            + " 'cutover history <service>')"));
    Cutover c = engine.cutover();
    if (p.length == 5) {
      expect(req, "GET");
      return Response.json(200, Json.status(status(c, id)));
    }
    if (p.length != 6) {
      throw new ApiException(404, "no such endpoint: " + req.path());
    }
    String verb = p[5];
    if (verb.equals("records")) {
      expect(req, "GET");
      ObjectNode n = Json.MAPPER.createObjectNode();
      ArrayNode a = n.putArray("records");
      for (JournalRecord r : services.records(id)) {
        a.add(Json.record(r));
      }
      return Response.json(200, n);
    }
    expect(req, "POST");
    RolloutCommand remote = remoteCommand(c, id, verb, req);
    if (remote != null) {
      // Driven by another replica of a shared journal: the command goes to it through the journal.
      // Its name is read first: once an abort finished, the lease naming it is gone.
      String owner = services.ownerReplica(engine.spec().service()).orElse("(unknown)");
      services.command(engine, id, remote, reason(req, "aborted through the admin API"));
      ObjectNode n = Json.MAPPER.createObjectNode();
      n.put("rolloutId", id);
      n.put("service", engine.spec().service());
      n.put("state", "SENT");
      n.put("reason", remote.wireName() + " applied by replica " + owner);
      return Response.json(200, n);
    }
    switch (verb) {
      case "abort" -> c.abort(id, reason(req, "aborted through the admin API"));
      case "pause" -> c.pause(id);
      case "resume" -> c.resume(id);
      case "approve" -> c.approve(id);
      case "promote" -> c.promote(id, body(req).path("full").asBoolean(false));
      case "retry" -> {
        Rollout r = c.retry(id);
        return Response.json(200, Json.status(r.status()));
      }
      default ->
          throw new ApiException(
              404,
              "no verb '"
                  + verb
                  + "' (fix: use abort, pause, resume, approve, promote, retry or records)");
    }
    return Response.json(200, Json.status(status(c, id)));
  }

  private Response services(Request req, String[] p) {
    if (p.length == 4) {
      expect(req, "GET");
      ObjectNode n = Json.MAPPER.createObjectNode();
      ArrayNode a = n.putArray("services");
      for (String s : services.services()) {
        Cutover c = engineOf(s).cutover();
        ObjectNode o = a.addObject();
        o.put("service", s);
        o.put("stable", c.stable(s).map(Release::id).orElse(null));
        o.put(
            "activeRollout",
            c.activeRollouts().stream()
                .map(Rollout::status)
                .filter(st -> st.service().equals(s))
                .map(RolloutStatus::rolloutId)
                .findFirst()
                .orElse(null));
      }
      return Response.json(200, n);
    }
    String service = p[4];
    Cutover c = engineOf(service).cutover();
    if (p.length == 6 && p[5].equals("history")) {
      expect(req, "GET");
      ObjectNode n = Json.MAPPER.createObjectNode();
      n.set("history", Json.statuses(c.history(service)));
      return Response.json(200, n);
    }
    if (p.length == 6 && p[5].equals("rollback")) {
      expect(req, "POST");
      Rollout r = c.rollback(service);
      return Response.json(200, Json.status(r.status()));
    }
    throw new ApiException(
        404, "no such endpoint: " + req.path() + " (see docs/cli.md, Admin API)");
  }

  private Response applySpec(byte[] body) {
    if (body.length == 0) {
      throw new ApiException(
          400, "the request has no spec (fix: POST the cutover.yaml as the request body)");
    }
    String yaml = new String(body, StandardCharsets.UTF_8);
    // Relative paths in a posted spec mean the server's working directory.
    CutoverSpec spec = CutoverSpec.parse(yaml, "posted spec", Path.of("").toAbsolutePath());
    Services.Applied applied = services.apply(spec, yaml);
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("service", applied.service());
    n.put("unchanged", applied.rollout() == null);
    ArrayNode diff = n.putArray("diff");
    applied.diff().forEach(diff::add);
    n.set("rollout", applied.rollout() == null ? null : Json.status(applied.rollout()));
    return Response.json(200, n);
  }

  private SpecEngine engineOf(String service) {
    return services
        .engine(service)
        .orElseThrow(
            () ->
                new ApiException(
                    404,
                    "no service '"
                        + service
                        + "' on this server (fix: one of "
                        + services.services()
                        + ", or POST its spec)"));
  }

  /**
   * The command for {@code verb} if the rollout runs on another replica of a shared journal (so it
   * must be sent there), else null (handled here).
   */
  private @Nullable RolloutCommand remoteCommand(Cutover c, String id, String verb, Request req) {
    if (!services.shared()
        || c.activeRollouts().stream().anyMatch(r -> r.id().equals(id))
        || c.status(id).isPresent()) {
      return null;
    }
    return switch (verb) {
      case "abort" -> RolloutCommand.ABORT;
      case "pause" -> RolloutCommand.PAUSE;
      case "resume" -> RolloutCommand.RESUME;
      case "approve" -> RolloutCommand.APPROVE;
      case "promote" ->
          body(req).path("full").asBoolean(false)
              ? RolloutCommand.PROMOTE_FULL
              : RolloutCommand.PROMOTE;
      default -> null;
    };
  }

  private static RolloutStatus status(Cutover c, String id) {
    return c.status(id)
        .orElseThrow(
            () ->
                new ApiException(
                    404,
                    "rollout '"
                        + id
                        + "' is in the journal but no longer in the engine's history (fix: 'cutover"
                        + " report "
                        + id
                        + "' reads it from the journal)"));
  }

  private static void expect(Request req, String method) {
    if (!req.method().equals(method)) {
      throw new ApiException(405, req.method() + " " + req.path() + ": use " + method);
    }
  }

  private static String reason(Request req, String fallback) {
    String r = body(req).path("reason").asText("");
    return r.isBlank() ? fallback : r;
  }

  private static JsonNode body(Request req) {
    if (req.body().length == 0) {
      return Json.MAPPER.createObjectNode();
    }
    try {
      @Nullable JsonNode n = Json.MAPPER.readTree(req.body());
      if (n == null || !n.isObject()) {
        throw new ApiException(400, "the request body is not a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new ApiException(400, "the request body is not JSON (fix: send a JSON object)");
    }
  }
}
