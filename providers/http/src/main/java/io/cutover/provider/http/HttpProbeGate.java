// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.http;

import io.cutover.api.Instance;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Verdict;
import io.cutover.api.Verdict.Outcome;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * Asks every READY candidate instance's readiness endpoint ({@code endpoint + path}) before it gets
 * traffic: PASS when every instance answers the expected status (and, if configured, a body
 * matching a regular expression) within the timeout; FAIL naming each instance that did not (wrong
 * status, body, refused connection, timeout). No candidate instance with an endpoint is
 * INCONCLUSIVE: there is nothing to probe, which is not a pass.
 *
 * <p><b>Bounded reads.</b> An instance is not trusted for the size of its answer: only the first
 * {@value #MAX_BODY_BYTES} bytes of a body are read and matched (a readiness body is small), and
 * the timeout bounds the whole exchange, body included.
 *
 * <p><b>Threading.</b> Immutable; safe for concurrent use. Instances are probed one after the
 * other.
 */
public final class HttpProbeGate implements HealthGate {
  /** The most bytes of a response body read and matched against {@code bodyMatches}. */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  private final String name;
  private final String path;
  private final int expectStatus;
  private final @Nullable Pattern body;
  private final OkHttpClient client;

  private HttpProbeGate(
      String name,
      String path,
      int expectStatus,
      @Nullable Pattern body,
      Duration timeout,
      OkHttpClient client) {
    if (name == null || name.isBlank()) {
      throw new InvalidSpecException("gate.name", "is blank", "name the probe gate");
    }
    if (!path.startsWith("/")) {
      throw new InvalidSpecException(
          "gate." + name + ".path",
          "'" + path + "' does not start with /",
          "use a path such as /ready");
    }
    if (expectStatus < 100 || expectStatus > 599) {
      throw new InvalidSpecException(
          "gate." + name + ".expectStatus", "is " + expectStatus, "use an HTTP status such as 200");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new InvalidSpecException(
          "gate." + name + ".timeout", "is " + timeout, "use a positive timeout such as 2s");
    }
    this.name = name;
    this.path = path;
    this.expectStatus = expectStatus;
    this.body = body;
    this.client = client.newBuilder().callTimeout(timeout).retryOnConnectionFailure(false).build();
  }

  /**
   * A probe gate.
   *
   * @param path the readiness path, e.g. {@code /ready}
   * @param expectStatus the status a ready instance answers, e.g. 200
   * @param bodyRegex a regular expression the body must contain a match of, or null
   * @param timeout the time limit per instance
   */
  public static HttpProbeGate of(
      String name, String path, int expectStatus, @Nullable String bodyRegex, Duration timeout) {
    return new HttpProbeGate(
        name,
        path,
        expectStatus,
        bodyRegex == null ? null : Pattern.compile(bodyRegex),
        timeout,
        new OkHttpClient());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Verdict evaluate(GateContext ctx) {
    List<String> failures = new ArrayList<>();
    List<Verdict.Measurement> ms = new ArrayList<>();
    int probed = 0;
    for (Instance i : ctx.candidateInstances()) {
      URI endpoint = i.endpoint();
      if (endpoint == null) {
        continue;
      }
      probed++;
      String url = endpoint.toString().replaceAll("/+$", "") + path;
      String problem = probe(url);
      ms.add(
          new Verdict.Measurement(
              "ready", i.releaseId(), problem == null ? 1 : 0, "instance " + i.id() + " " + url));
      if (problem != null) {
        failures.add("instance " + i.id() + " (" + url + ") is not ready: " + problem);
      }
    }
    if (probed == 0) {
      return Verdict.inconclusive(
          "gate '" + name + "': no candidate instance with an endpoint to probe");
    }
    if (!failures.isEmpty()) {
      return new Verdict(Outcome.FAIL, ms, failures);
    }
    return new Verdict(
        Outcome.PASS,
        ms,
        List.of("gate '" + name + "': all " + probed + " instances answered " + expectStatus));
  }

  private @Nullable String probe(String url) {
    Request req;
    try {
      req = new Request.Builder().url(url).get().build();
    } catch (IllegalArgumentException e) {
      return "invalid URL";
    }
    try (Response r = client.newCall(req).execute()) {
      if (r.code() != expectStatus) {
        return "answered " + r.code() + ", expected " + expectStatus;
      }
      if (body != null) {
        // An instance is not trusted for the size of what it sends: read at most MAX_BODY_BYTES.
        byte[] head;
        try (InputStream in = Objects.requireNonNull(r.body()).byteStream()) {
          head = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        boolean truncated = head.length > MAX_BODY_BYTES;
        String text =
            new String(head, 0, Math.min(head.length, MAX_BODY_BYTES), StandardCharsets.UTF_8);
        if (!body.matcher(text).find()) {
          return (truncated ? "the first " + MAX_BODY_BYTES + " bytes of the body do" : "body does")
              + " not match /"
              + body.pattern()
              + "/";
        }
      }
      return null;
    } catch (IOException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }
}
