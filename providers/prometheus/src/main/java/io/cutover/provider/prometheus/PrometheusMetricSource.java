// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.provider.support.Redaction;
import io.cutover.spi.MetricQuery;
import io.cutover.spi.MetricResult;
import io.cutover.spi.MetricSource;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.jspecify.annotations.Nullable;

/**
 * A {@link MetricSource} that asks a Prometheus server ({@code /api/v1/query} and {@code
 * /api/v1/query_range}).
 *
 * <p><b>Queries.</b> The rendered {@link MetricQuery} is sent as PromQL: an instant query at {@code
 * end} when {@code step} is null, a range query from {@code start} to {@code end} otherwise. An
 * instant query must yield one value (a scalar or a vector of one series): several series are
 * refused with {@link InvalidSpecException} asking to aggregate, because comparing an arbitrary one
 * of them with a threshold would be a silent bug. A range query returns the samples of every series
 * (the judge treats them all as samples of the release).
 *
 * <p><b>No data.</b> {@code "result": []}, a scalar {@code "NaN"} and NaN samples are {@link
 * MetricResult#noData}, never a value.
 *
 * <p><b>Errors.</b> HTTP 400 {@code bad_data} (a malformed query) is {@link InvalidSpecException}
 * naming the query, not retried; a 422 execution error is a non-retryable {@link
 * ProviderException}; timeouts, connection failures and 5xx are retryable {@link
 * ProviderException}s, retried with exponential backoff and counted by a circuit breaker that, once
 * open, fails calls at once until it half-opens.
 *
 * <p><b>Credentials.</b> A bearer token ({@link Builder#bearerToken(Supplier)}) is sent over HTTPS,
 * or over plain HTTP only to a host listed in {@link Builder#insecureHosts}: {@link
 * Builder#build()} refuses anything else. A base URL with user-info ({@code user:pass@}) is
 * refused, because the credentials would travel nowhere useful (OkHttp does not send them) and
 * would end up in messages. Error messages and {@link #toString()} show the base URL redacted
 * ({@link HttpUrl#redact()}). OkHttp drops the {@code Authorization} header on a redirect to
 * another scheme, host or port.
 *
 * <p><b>Bounded reads.</b> An answer larger than {@link Builder#maxResponseBytes} (16 MiB by
 * default) fails the query (permanent {@link ProviderException}) instead of filling the heap.
 *
 * <p><b>Threading.</b> Safe for concurrent use; every call blocks for at most about {@code
 * maxAttempts × timeout} plus the backoff.
 */
public final class PrometheusMetricSource implements MetricSource {
  /** The default limit of one answer's size: 16 MiB. */
  public static final int DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpUrl base;
  private final OkHttpClient client;
  private final Retry retry;
  private final CircuitBreaker breaker;
  private final @Nullable Supplier<String> bearerToken;
  private final int maxResponseBytes;

  private PrometheusMetricSource(Builder b) {
    this.base = b.base;
    this.client = b.client.newBuilder().callTimeout(b.timeout).build();
    this.bearerToken = b.bearerToken;
    this.maxResponseBytes = b.maxResponseBytes;
    this.retry =
        Retry.of(
            "prometheus",
            RetryConfig.custom()
                .maxAttempts(b.maxAttempts)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(b.retryWait, 2.0))
                .retryOnException(e -> e instanceof ProviderException p && p.retryable())
                .build());
    this.breaker =
        CircuitBreaker.of(
            "prometheus",
            CircuitBreakerConfig.custom()
                .failureRateThreshold(b.breakerFailureRate)
                .minimumNumberOfCalls(b.breakerMinimumCalls)
                .slidingWindowSize(Math.max(b.breakerMinimumCalls, 10))
                .waitDurationInOpenState(b.breakerOpenFor)
                .recordException(e -> e instanceof ProviderException p && p.retryable())
                .build());
  }

  /**
   * A builder for the server at {@code baseUrl}, e.g. {@code http://127.0.0.1:9090}.
   *
   * @throws InvalidSpecException if the URL is not an http(s) URL
   */
  public static Builder builder(String baseUrl) {
    return new Builder(baseUrl);
  }

  /**
   * The state of the circuit breaker around queries, for observability: {@code CLOSED} (queries
   * flow), {@code OPEN} (queries are refused until it half-opens) or {@code HALF_OPEN} (trial
   * queries decide).
   */
  public String circuitBreakerState() {
    return breaker.getState().name();
  }

  @Override
  public MetricResult query(MetricQuery query) {
    String promql = query.rendered();
    HttpUrl.Builder url = base.newBuilder();
    if (query.step() == null) {
      url.addPathSegments("api/v1/query")
          .addQueryParameter("query", promql)
          .addQueryParameter("time", seconds(query.end(), false));
    } else {
      // Prometheus takes milliseconds: round the window inwards so no sample lies outside the one
      // asked for.
      url.addPathSegments("api/v1/query_range")
          .addQueryParameter("query", promql)
          .addQueryParameter("start", seconds(query.start(), true))
          .addQueryParameter("end", seconds(query.end(), false))
          .addQueryParameter("step", seconds(query.step()));
    }
    Request.Builder rb = new Request.Builder().url(url.build()).get();
    if (bearerToken != null) {
      rb.header("Authorization", "Bearer " + bearerToken.get());
    }
    Request request = rb.build();
    try {
      JsonNode data =
          Retry.decorateSupplier(
                  retry, CircuitBreaker.decorateSupplier(breaker, () -> call(request, promql)))
              .get();
      return parse(data, promql, query.step() == null);
    } catch (CallNotPermittedException e) {
      throw ProviderException.retryable(
          "prometheus",
          "query",
          "circuit breaker open after repeated failures of "
              + base.redact()
              + "; calls resume when it half-opens",
          e);
    }
  }

  private JsonNode call(Request request, String promql) {
    try (Response r = client.newCall(request).execute()) {
      ResponseBody body = r.body();
      String text = body == null ? "" : bounded(body, promql);
      JsonNode json = null;
      try {
        json = text.isEmpty() ? null : JSON.readTree(text);
      } catch (IOException notJson) {
        // An HTML error page from a proxy: reported by status below.
      }
      if (r.code() == 400 && json != null && "bad_data".equals(json.path("errorType").asText())) {
        throw new InvalidSpecException(
            "query",
            "Prometheus rejected '" + promql + "': " + json.path("error").asText(),
            "fix the PromQL expression (try it in the Prometheus UI)");
      }
      if (r.code() == 422) {
        throw ProviderException.permanent(
            "prometheus",
            "query",
            "cannot execute '"
                + promql
                + "': "
                + (json == null ? cut(text) : json.path("error").asText()));
      }
      if (!r.isSuccessful() || json == null || !"success".equals(json.path("status").asText())) {
        boolean retryable = r.code() >= 500 || r.code() == 429 || r.isSuccessful();
        String why =
            "HTTP "
                + r.code()
                + " for '"
                + promql
                + "' from "
                + request.url().host()
                + ":"
                + request.url().port()
                + (json == null ? "" : ": " + json.path("error").asText());
        throw retryable
            ? ProviderException.retryable("prometheus", "query", why)
            : ProviderException.permanent("prometheus", "query", why);
      }
      return json.path("data");
    } catch (IOException e) {
      throw ProviderException.retryable(
          "prometheus",
          "query",
          "cannot reach " + base.redact() + ": " + Redaction.userInfo(e.getMessage()),
          e);
    }
  }

  /**
   * The body as text, refusing one larger than {@code maxResponseBytes}: a metric backend is not
   * trusted for the size of what it returns, and the whole answer is parsed in memory.
   */
  private String bounded(ResponseBody body, String promql) throws IOException {
    byte[] bytes;
    try (InputStream in = body.byteStream()) {
      bytes = in.readNBytes(maxResponseBytes + 1);
    }
    if (bytes.length > maxResponseBytes) {
      throw ProviderException.permanent(
          "prometheus",
          "query",
          "the answer to '"
              + promql
              + "' is larger than "
              + maxResponseBytes
              + " bytes; aggregate the query, use a coarser step, or raise maxResponseBytes");
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static String cut(String text) {
    return text.length() <= 500 ? text : text.substring(0, 500) + "...";
  }

  private static MetricResult parse(JsonNode data, String promql, boolean instant) {
    String type = data.path("resultType").asText();
    JsonNode result = data.path("result");
    List<MetricResult.Sample> samples = new ArrayList<>();
    switch (type) {
      case "scalar" -> samples.add(sample(result, promql));
      case "vector" -> {
        if (instant && result.size() > 1) {
          throw new InvalidSpecException(
              "query",
              "'" + promql + "' returns " + result.size() + " series",
              "aggregate it to one value, e.g. sum(...) or max(...)");
        }
        for (JsonNode series : result) {
          samples.add(sample(series.path("value"), promql));
        }
      }
      case "matrix" -> {
        for (JsonNode series : result) {
          for (JsonNode v : series.path("values")) {
            samples.add(sample(v, promql));
          }
        }
        samples.sort((a, b) -> a.time().compareTo(b.time()));
      }
      default ->
          throw ProviderException.permanent(
              "prometheus", "query", "unexpected result type '" + type + "' for '" + promql + "'");
    }
    return new MetricResult(samples, promql);
  }

  private static MetricResult.Sample sample(JsonNode pair, String promql) {
    if (!pair.isArray() || pair.size() != 2) {
      throw ProviderException.permanent(
          "prometheus", "query", "malformed sample " + pair + " for '" + promql + "'");
    }
    double t = pair.get(0).asDouble();
    // Prometheus sends values as strings: "1.5", "NaN", "+Inf".
    String v = pair.get(1).asText();
    try {
      if (!Double.isFinite(t)) {
        throw new DateTimeException("timestamp " + t);
      }
      long secs = (long) Math.floor(t);
      Instant time = Instant.ofEpochSecond(secs, Math.round((t - secs) * 1e9));
      double value =
          switch (v) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(v);
          };
      return new MetricResult.Sample(time, value);
    } catch (NumberFormatException | DateTimeException | ArithmeticException e) {
      // Found by fuzzing: a value that is not a number escaped as a NumberFormatException.
      throw ProviderException.permanent(
          "prometheus",
          "query",
          "malformed sample " + pair + " for '" + promql + "' (" + e.getMessage() + ")");
    }
  }

  private static String seconds(Instant t, boolean roundUp) {
    Instant ms = t.truncatedTo(ChronoUnit.MILLIS);
    if (roundUp && ms.isBefore(t)) {
      ms = ms.plusMillis(1);
    }
    return String.format(Locale.ROOT, "%d.%03d", ms.getEpochSecond(), ms.getNano() / 1_000_000);
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%d.%03d", d.getSeconds(), d.getNano() / 1_000_000);
  }

  @Override
  public String toString() {
    return "PrometheusMetricSource{"
        + base.redact()
        + (bearerToken == null ? "" : ", bearer token")
        + "}";
  }

  /**
   * Builds a {@link PrometheusMetricSource}. Defaults: 10 s timeout, 3 attempts with 200 ms
   * exponential backoff, breaker opening at 50 % failures of at least 5 calls for 30 s. Not
   * thread-safe.
   */
  public static final class Builder {
    private final HttpUrl base;
    private OkHttpClient client = new OkHttpClient();
    private Duration timeout = Duration.ofSeconds(10);
    private int maxAttempts = 3;
    private Duration retryWait = Duration.ofMillis(200);
    private float breakerFailureRate = 50;
    private int breakerMinimumCalls = 5;
    private Duration breakerOpenFor = Duration.ofSeconds(30);
    private @Nullable Supplier<String> bearerToken;
    private int maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
    private final Set<String> insecureHosts = new TreeSet<>();
    private String urlPath = "prometheus.url";

    private Builder(String baseUrl) {
      HttpUrl u = baseUrl == null ? null : HttpUrl.parse(baseUrl);
      if (u == null) {
        throw new InvalidSpecException(
            "prometheus.url",
            "is not an http(s) URL (value not shown: a URL may carry a credential)",
            "use the server's base URL, e.g. http://127.0.0.1:9090");
      }
      if (!u.username().isEmpty() || !u.password().isEmpty()) {
        throw new InvalidSpecException(
            "prometheus.url",
            "'"
                + u.redact()
                + "' carries user-info (user:password@, not shown), which Cutover"
                + " never sends and would show in error messages",
            "remove it from the URL and give a bearer token from an environment variable or a"
                + " file (bearerTokenEnv / bearerTokenFile)");
      }
      this.base = u;
    }

    /**
     * The OkHttp client to share (connection pool, TLS, proxies); a call timeout is applied on a
     * derived client.
     */
    public Builder client(OkHttpClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /** Time limit of one HTTP call. */
    public Builder timeout(Duration timeout) {
      this.timeout = positive(timeout, "prometheus.timeout");
      return this;
    }

    /** Attempts per query (1 = no retry) and the first backoff, doubled each retry. */
    public Builder retries(int maxAttempts, Duration firstWait) {
      if (maxAttempts < 1) {
        throw new InvalidSpecException(
            "prometheus.maxAttempts", "is " + maxAttempts, "use 1 or more");
      }
      this.maxAttempts = maxAttempts;
      this.retryWait = positive(firstWait, "prometheus.retryWait");
      return this;
    }

    /**
     * Opens the breaker at {@code failureRatePercent} failures of at least {@code minimumCalls},
     * for {@code openFor}.
     */
    public Builder circuitBreaker(float failureRatePercent, int minimumCalls, Duration openFor) {
      if (!(failureRatePercent > 0 && failureRatePercent <= 100) || minimumCalls < 1) {
        throw new InvalidSpecException(
            "prometheus.breaker",
            "failure rate " + failureRatePercent + "%, minimum calls " + minimumCalls,
            "use a rate in (0, 100] and at least 1 call");
      }
      this.breakerFailureRate = failureRatePercent;
      this.breakerMinimumCalls = minimumCalls;
      this.breakerOpenFor = positive(openFor, "prometheus.breakerOpenFor");
      return this;
    }

    /**
     * Sends {@code Authorization: Bearer <token>} with every query. For a token that rotates, use
     * {@link #bearerToken(Supplier)}.
     */
    public Builder bearerToken(String token) {
      Objects.requireNonNull(token, "token");
      return bearerToken(() -> token);
    }

    /**
     * Sends {@code Authorization: Bearer <token>}, asking {@code token} before every query (e.g.
     * reading a mounted file, so a rotated token is used without a restart). The supplier may throw
     * a {@link io.cutover.api.CutoverException}; it must not block for long.
     */
    public Builder bearerToken(Supplier<String> token) {
      this.bearerToken = Objects.requireNonNull(token, "token");
      return this;
    }

    /**
     * Hosts to which a bearer token may be sent over plain {@code http://} (e.g. a Prometheus on
     * the same host or in a trusted network segment). Anywhere else a token needs HTTPS. Adds to
     * the hosts given before.
     */
    public Builder insecureHosts(Collection<String> hosts) {
      for (String h : hosts) {
        insecureHosts.add(Objects.requireNonNull(h, "host").toLowerCase(Locale.ROOT));
      }
      return this;
    }

    /**
     * Builds the source; no I/O.
     *
     * @throws InvalidSpecException if a bearer token would be sent over plain HTTP to a host that
     *     is not in {@link #insecureHosts}
     */
    public PrometheusMetricSource build() {
      if (bearerToken != null && !base.isHttps() && !insecureHosts.contains(base.host())) {
        throw new InvalidSpecException(
            urlPath,
            "is plain HTTP ("
                + base.redact()
                + "), so the bearer token would travel in clear text to anyone on the path",
            "use https://, or if the path to "
                + base.host()
                + " is trusted, list it in insecureHosts");
      }
      return new PrometheusMetricSource(this);
    }

    /**
     * The largest answer read, in bytes (default {@value #DEFAULT_MAX_RESPONSE_BYTES}); a larger
     * one fails the query with a permanent {@link ProviderException} instead of filling the heap.
     */
    public Builder maxResponseBytes(int bytes) {
      if (bytes < 1024 || bytes == Integer.MAX_VALUE) {
        throw new InvalidSpecException(
            "prometheus.maxResponseBytes", "is " + bytes, "use at least 1024 bytes");
      }
      this.maxResponseBytes = bytes;
      return this;
    }

    /** Where the URL sits in the user's configuration, for error messages. */
    Builder urlPath(String path) {
      this.urlPath = path;
      return this;
    }

    private static Duration positive(Duration d, String path) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new InvalidSpecException(path, "is " + d, "use a positive duration");
      }
      return d;
    }
  }
}
