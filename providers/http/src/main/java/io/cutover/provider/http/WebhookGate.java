// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.api.CutoverException;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.Verdict;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map.Entry;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * Posts the rollout to a webhook and turns the answer into a verdict according to the {@link
 * HookKind} of the context's phase (see its table): the gate behind Flagger-style lifecycle hooks
 * ({@code confirm-rollout}, {@code pre-rollout}, ...) and custom analysis webhooks.
 *
 * <p><b>Request.</b> {@code POST} with a JSON body: {@code rollout}, {@code service}, {@code
 * phase}, {@code step}, {@code measurement}, {@code windowStart}, {@code now}, {@code candidate}
 * and {@code stable} (each with {@code id}, {@code label}, {@code artifact}, {@code digest}, {@code
 * config}) and {@code params}. Headers: {@code X-Cutover-Signature: sha256=<hex HMAC-SHA256 of the
 * exact body bytes>} when a secret is configured (receivers verify it in constant time), and {@code
 * Idempotency-Key: <rollout>/<step>/<phase>/<measurement>} (for the {@code event} phase followed by
 * {@code /<16 hex digits of SHA-256 of the event's params>}, since every event of a step is
 * measurement 1) so a receiver can ignore a retried delivery and only that: the first measurement
 * of two analysis steps, or two confirm-traffic-increase hooks, have different keys.
 *
 * <p><b>Retries.</b> Connection failures, timeouts and 5xx answers are retried with exponential
 * backoff up to {@code maxAttempts}; a 4xx answer is final. What remains after the retries is
 * judged per kind.
 *
 * <p><b>Transport.</b> The gate trusts the webhook's <em>answer</em>: a 2xx can approve a rollout.
 * The HMAC signature authenticates the request to the receiver, not the answer to the gate, so
 * whoever can answer in the receiver's place (anyone on a plain-HTTP path) could approve a rollout.
 * The URL must therefore be {@code https://}; plain {@code http://} is accepted only for hosts
 * listed in {@link Builder#insecureHosts} (a sidecar on loopback, a trusted segment). A URL with
 * user-info is refused. Messages name the webhook by its gate name and {@code
 * scheme://host:port/...} only, since a webhook path often embeds a token.
 *
 * <p><b>Threading.</b> Immutable; safe for concurrent use. Each evaluation blocks for at most about
 * {@code maxAttempts × timeout} plus the backoff.
 */
public final class WebhookGate implements HealthGate {
  /** The signature header. */
  public static final String SIGNATURE_HEADER = "X-Cutover-Signature";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType JSON_TYPE = MediaType.get("application/json");

  private final String name;
  private final HttpUrl url;
  private final @Nullable Supplier<String> secret;
  private final OkHttpClient client;
  private final Retry retry;

  private WebhookGate(Builder b) {
    this.name = b.name;
    this.url = b.url;
    this.secret = b.secret;
    this.client = b.client.newBuilder().callTimeout(b.timeout).build();
    this.retry =
        Retry.of(
            "webhook-" + b.name,
            RetryConfig.<Integer>custom()
                .maxAttempts(b.maxAttempts)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(b.retryWait, 2.0))
                .retryOnResult(status -> status >= 500)
                .retryExceptions(IOException.class, UncheckedIOException.class)
                .failAfterMaxAttempts(false)
                .build());
  }

  /**
   * A builder for a webhook at {@code url}.
   *
   * @throws InvalidSpecException if the URL is not http(s)
   */
  public static Builder builder(String name, String url) {
    return new Builder(name, url);
  }

  /**
   * The hex HMAC-SHA256 of {@code body} with {@code secret}: what {@link #SIGNATURE_HEADER} carries
   * after {@code sha256=}.
   */
  public static String sign(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", e);
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Verdict evaluate(GateContext ctx) {
    HookKind kind = HookKind.ofPhase(ctx.phase());
    byte[] body = payload(ctx);
    Request.Builder rb =
        new Request.Builder()
            .url(url)
            .post(RequestBody.create(body, JSON_TYPE))
            .header("Idempotency-Key", idempotencyKey(ctx));
    if (secret != null) {
      try {
        String current = checkedSecret(secret.get(), name);
        rb.header(SIGNATURE_HEADER, "sha256=" + sign(current, body));
      } catch (CutoverException e) {
        // A secret file that vanished or shrank: no delivery unsigned, the reason names the key.
        return Verdict.error(String.valueOf(e.getMessage()));
      }
    }
    Request request = rb.build();
    String what = "'" + name + "' (" + url.redact() + ")";
    try {
      int status = Retry.decorateSupplier(retry, () -> send(request)).get();
      return kind.answered(status, what);
    } catch (UncheckedIOException e) {
      // An UncheckedIOException always wraps an IOException.
      return kind.unreachable(
          what, String.valueOf(Objects.requireNonNull(e.getCause()).getMessage()));
    }
  }

  private int send(Request request) {
    try (Response r = client.newCall(request).execute()) {
      return r.code();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code <rollout>/<step>/<phase>/<measurement>}, plus a digest of the params for events: the
   * same for the retries of one delivery (they reuse the context), different for different
   * evaluations.
   */
  static String idempotencyKey(GateContext ctx) {
    String key = ctx.rolloutId() + "/" + ctx.step() + "/" + ctx.phase() + "/" + ctx.measurement();
    if (!ctx.phase().equals("event")) {
      return key;
    }
    StringBuilder sb = new StringBuilder();
    ctx.params().entrySet().stream()
        .sorted(Entry.comparingByKey())
        .forEach(e -> sb.append(e.getKey()).append('=').append(e.getValue()).append('\n'));
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(sb.toString().getBytes(StandardCharsets.UTF_8));
      return key + "/" + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      // every Java platform must provide SHA-256
      throw new IllegalStateException(e);
    }
  }

  private static byte[] payload(GateContext ctx) {
    ObjectNode n = JSON.createObjectNode();
    n.put("rollout", ctx.rolloutId());
    n.put("service", ctx.service());
    n.put("phase", ctx.phase());
    n.put("step", ctx.step());
    n.put("measurement", ctx.measurement());
    n.put("windowStart", ctx.windowStart().toString());
    n.put("now", ctx.now().toString());
    release(n.putObject("candidate"), ctx.candidate());
    if (ctx.stable() != null) {
      release(n.putObject("stable"), ctx.stable());
    } else {
      n.putNull("stable");
    }
    ObjectNode params = n.putObject("params");
    ctx.params().entrySet().stream()
        .sorted(Entry.comparingByKey())
        .forEach(e -> params.put(e.getKey(), e.getValue()));
    try {
      return JSON.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void release(ObjectNode n, Release r) {
    n.put("id", r.id());
    n.put("label", r.label());
    n.put("artifact", r.artifact().toString());
    n.put("digest", r.artifact().digest().toString());
    n.put("config", r.config().digest().toString());
  }

  private static String checkedSecret(@Nullable String secret, String name) {
    if (secret == null || secret.length() < 16) {
      throw new InvalidSpecException(
          "gate." + name + ".secret",
          "is shorter than 16 characters",
          "use a long random secret, e.g. openssl rand -hex 32");
    }
    return secret;
  }

  @Override
  public String toString() {
    return "WebhookGate{" + name + ", " + url.redact() + (secret == null ? "" : ", signed") + "}";
  }

  /**
   * Builds a {@link WebhookGate}. Defaults: 10 s timeout, 3 attempts from 500 ms backoff, no
   * secret, HTTPS only. Not thread-safe.
   */
  public static final class Builder {
    private final String name;
    private final HttpUrl url;
    private @Nullable Supplier<String> secret;
    private final Set<String> insecureHosts = new TreeSet<>();
    private String urlPath;
    private OkHttpClient client = new OkHttpClient();
    private Duration timeout = Duration.ofSeconds(10);
    private int maxAttempts = 3;
    private Duration retryWait = Duration.ofMillis(500);

    private Builder(String name, String url) {
      if (name == null || name.isBlank()) {
        throw new InvalidSpecException("gate.name", "is blank", "name the webhook gate");
      }
      this.urlPath = "gate." + name + ".url";
      HttpUrl u = url == null ? null : HttpUrl.parse(url);
      if (u == null) {
        throw new InvalidSpecException(
            urlPath,
            "is not an http(s) URL (value not shown: a webhook URL often carries a token)",
            "use e.g. https://hooks.example/confirm");
      }
      if (!u.username().isEmpty() || !u.password().isEmpty()) {
        throw new InvalidSpecException(
            urlPath,
            "'"
                + u.redact()
                + "' carries user-info (user:password@, not shown), which is never sent",
            "remove it; authenticate requests with the HMAC secret (secretEnv / secretFile)");
      }
      this.name = name;
      this.url = u;
    }

    /**
     * Signs every request with HMAC-SHA256 under this secret (at least 16 characters). For a secret
     * that rotates, use {@link #secret(Supplier)}.
     *
     * @throws InvalidSpecException if it is shorter than 16 characters (the message never shows it)
     */
    public Builder secret(String secret) {
      String checked = checkedSecret(secret, name);
      this.secret = () -> checked;
      return this;
    }

    /**
     * Signs every request with HMAC-SHA256 under the secret {@code secret} returns when the request
     * is made (e.g. re-reading a mounted file). If it throws a {@link CutoverException} or returns
     * fewer than 16 characters, nothing is sent and the verdict is ERROR.
     */
    public Builder secret(Supplier<String> secret) {
      this.secret = Objects.requireNonNull(secret, "secret");
      return this;
    }

    /**
     * Hosts that may be reached over plain {@code http://}, where whoever is on the path could
     * answer in the webhook's place and approve a rollout: list only hosts whose path you trust
     * (loopback, a sidecar). Adds to the hosts given before.
     */
    public Builder insecureHosts(Collection<String> hosts) {
      for (String h : hosts) {
        insecureHosts.add(Objects.requireNonNull(h, "host").toLowerCase(Locale.ROOT));
      }
      return this;
    }

    /** Where the URL sits in the user's configuration, for error messages. */
    Builder urlPath(String path) {
      this.urlPath = path;
      return this;
    }

    /** The OkHttp client to derive from. */
    public Builder client(OkHttpClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /** The time limit of one delivery attempt. */
    public Builder timeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new InvalidSpecException(
            "gate." + name + ".timeout", "is " + timeout, "use a positive timeout such as 10s");
      }
      this.timeout = timeout;
      return this;
    }

    /** Attempts (1 = no retry) and the first backoff, doubled after each attempt. */
    public Builder retries(int maxAttempts, Duration firstWait) {
      if (maxAttempts < 1 || firstWait.isNegative() || firstWait.isZero()) {
        throw new InvalidSpecException(
            "gate." + name + ".maxAttempts",
            "is " + maxAttempts + " with wait " + firstWait,
            "use at least 1 attempt and a positive wait");
      }
      this.maxAttempts = maxAttempts;
      this.retryWait = firstWait;
      return this;
    }

    /**
     * Builds the gate; no I/O.
     *
     * @throws InvalidSpecException if the URL is plain HTTP to a host not in {@link #insecureHosts}
     */
    public WebhookGate build() {
      if (!url.isHttps() && !insecureHosts.contains(url.host())) {
        throw new InvalidSpecException(
            urlPath,
            "is plain HTTP ("
                + url.redact()
                + "): whoever sits on the path could answer in the webhook's place and approve"
                + " the rollout",
            "use https://, or if the path to "
                + url.host()
                + " is trusted (loopback, a sidecar), list it in insecureHosts");
      }
      return new WebhookGate(this);
    }
  }
}
