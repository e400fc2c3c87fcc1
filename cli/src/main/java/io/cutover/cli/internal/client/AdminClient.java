// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli.internal.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Talks to a {@code cutover serve} admin API with a bearer token. Every failure is a {@link
 * Failure}: one line saying what happened and how to fix it, and the exit code (1 when the server
 * cannot be reached, refuses the token, or fails; 2 when it refuses the request as bad input). The
 * token never appears in a message.
 */
public final class AdminClient {
  /** A request that did not succeed: what to print, and the exit code. */
  public static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;
    private final List<String> problems;

    Failure(int exitCode, String message, List<String> problems) {
      super(message);
      this.exitCode = exitCode;
      this.problems = List.copyOf(problems);
    }

    /** 1 (error) or 2 (bad input). */
    public int exitCode() {
      return exitCode;
    }

    /** The server's problem lines, if it gave any beyond the message. */
    public List<String> problems() {
      return problems;
    }
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final URI server;
  private final String token;
  private final HttpClient http;
  private final Duration timeout;

  /** A client of {@code server} (e.g. {@code http://127.0.0.1:7070}). */
  public AdminClient(URI server, String token, Duration timeout) {
    this.server = server;
    this.token = token;
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** GET a path such as {@code /api/v1/rollouts}. */
  public JsonNode get(String path) {
    return send(request(path).GET().build());
  }

  /** POST a JSON body. */
  public JsonNode post(String path, JsonNode body) {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build());
  }

  /** POST raw bytes (a spec). */
  public JsonNode post(String path, byte[] body, String contentType) {
    return send(
        request(path)
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(server.resolve(path))
        .timeout(timeout)
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json");
  }

  private JsonNode send(HttpRequest req) {
    HttpResponse<byte[]> resp;
    try {
      resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpConnectTimeoutException | ConnectException e) {
      throw new Failure(
          1,
          "cannot reach the server at "
              + server
              + " ("
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
              + ") (fix: start it with 'cutover serve --config <file>', or give --server / CUTOVER_SERVER)",
          List.of());
    } catch (HttpTimeoutException e) {
      throw new Failure(
          1,
          "the server at " + server + " did not answer within " + timeout.toSeconds() + " s",
          List.of());
    } catch (IOException e) {
      throw new Failure(
          1,
          "cannot talk to the server at "
              + server
              + ": "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage())
              + " (fix: check --server, and https:// for a TLS server)",
          List.of());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure(1, "interrupted", List.of());
    }
    JsonNode body = parse(resp.body());
    int status = resp.statusCode();
    if (status == 200) {
      if (body == null) {
        throw new Failure(1, "the server at " + server + " answered 200 without JSON", List.of());
      }
      return body;
    }
    String message =
        body != null && body.path("error").isTextual()
            ? body.path("error").asText()
            : "HTTP " + status;
    List<String> problems = new ArrayList<>();
    if (body != null) {
      body.path("problems").forEach(p -> problems.add(p.asText()));
    }
    if (status == 401) {
      throw new Failure(
          1,
          "the server at "
              + server
              + " refused the token (401) (fix: set CUTOVER_TOKEN or --token-file to the server's"
              + " token)",
          List.of());
    }
    int code = status == 400 || status == 404 || status == 405 || status == 413 ? 2 : 1;
    throw new Failure(code, message + " (HTTP " + status + ")", problems);
  }

  private static @Nullable JsonNode parse(byte[] body) {
    if (body.length == 0) {
      return null;
    }
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }
}
