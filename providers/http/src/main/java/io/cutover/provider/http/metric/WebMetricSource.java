// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.http.metric;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.jayway.jsonpath.JsonPath;
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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.jspecify.annotations.Nullable;

/**
 * A {@link MetricSource} that asks any HTTP endpoint answering JSON (Argo Rollouts' "web" metric
 * provider): a {@code GET} or {@code POST} of a URL and body templated with the release id and the
 * window, and a JSONPath that reads the value out of the answer.
 *
 * <p><b>Queries.</b> {@link MetricQuery#metric()} is the JSONPath (e.g. {@code $.data.errorRate}),
 * itself a template. The URL and the body are templates too: {@code {{name}}} placeholders are
 * filled from the query's labels (a gate gives {@code release}, {@code window}, …) and from {@code
 * {{start}}}, {@code {{end}}} (epoch seconds, millisecond precision) and, for a range query, {@code
 * {{step}}} (seconds); a label of the same name wins. Values are percent-encoded in the URL and
 * JSON-escaped in a JSON body (write {@code "release": "{{release}}"}), so a label can add neither
 * a query parameter nor a field. A placeholder nothing fills is {@link InvalidSpecException} before
 * any request.
 *
 * <p><b>What the path selects.</b> A number, or a string holding one ({@code "0.99"}, {@code
 * "NaN"}, {@code "+Inf"}): one sample stamped at the query's {@code end}, for instant and range
 * queries alike (an endpoint that aggregates the window itself). A list of {@code [time, value]}
 * points (time in epoch seconds, as a number or a string, or an ISO-8601 instant; value as above or
 * null for a gap): a range query ({@code step} set) gets the points inside {@code [start, end]} in
 * time order, an instant query the newest of them. A list of exactly one number (what a filter
 * selects) counts as that number; a list of several numbers is {@link InvalidSpecException} asking
 * to narrow the path, because comparing an arbitrary one with a threshold would be a silent bug.
 *
 * <p><b>No data.</b> A path that is not in the answer, JSON {@code null}, an empty list, {@code
 * NaN} and a series with no point in the window are {@link MetricResult#noData}, never a value.
 *
 * <p><b>Errors.</b> A path that is not a JSONPath is {@link InvalidSpecException} naming it, not
 * retried. A selected value that is neither a number nor points (a word, a boolean, an object) is a
 * permanent {@link ProviderException} naming the path (the text itself is not shown: an answer may
 * hold anything). Timeouts, connection failures, HTTP 408, 429 and 5xx, and a 2xx answer that is
 * not JSON are retryable {@link ProviderException}s, retried with exponential backoff and counted
 * by a circuit breaker that, once open, fails calls at once until it half-opens (its clock is the
 * injected one). Other statuses, a redirect (never followed: a redirect could carry the secret
 * header to another host) and an answer larger than {@value #MAX_BODY_BYTES} bytes are permanent.
 *
 * <p><b>Credentials.</b> One secret header ({@link Builder#secretHeader}) whose value is asked
 * before every request, sent over HTTPS, or over plain HTTP only to a host listed in {@link
 * Builder#insecureHosts}; {@link Builder#build()} refuses anything else. Plain headers ({@link
 * Builder#header}) whose name looks like a credential ({@code Authorization}, {@code Cookie},
 * {@code *token*}, {@code *key*}, {@code *secret*}, …) are refused. A URL with user-info is
 * refused. Messages, {@link MetricResult#detail()} and {@link #toString()} show the URL with the
 * values of query parameters whose names look like credentials replaced by {@code ***}, and never
 * the secret header's value.
 *
 * <p><b>Threading.</b> Safe for concurrent use; every call blocks for at most about {@code
 * maxAttempts × timeout} plus the backoff.
 */
public final class WebMetricSource implements MetricSource {
  /**
   * The largest answer read, in bytes; a larger one is refused, not truncated (JSON would break).
   */
  public static final int MAX_BODY_BYTES = 1024 * 1024;

  /** Header and query-parameter names that carry credentials. */
  static final Pattern SECRET_NAME =
      Pattern.compile(
          "(?i)^(authorization|proxy-authorization|cookie|set-cookie)$|token|secret|passw|key|auth|signature|cred|session");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonValues VALUES = new JsonValues(JSON);

  private final String method;
  private final String urlTemplate;
  private final HttpUrl origin;
  private final @Nullable String bodyTemplate;
  private final MediaType contentType;
  private final Headers headers;
  private final @Nullable String secretHeader;
  private final @Nullable Supplier<String> secretValue;
  private final String secretWhere;
  private final OkHttpClient client;
  private final Retry retry;
  private final CircuitBreaker breaker;

  private WebMetricSource(Builder b, HttpUrl origin) {
    this.method = b.method;
    this.urlTemplate = b.url;
    this.origin = origin;
    this.bodyTemplate = b.body;
    this.contentType = b.contentType;
    this.headers = b.headers.build();
    this.secretHeader = b.secretHeader;
    this.secretValue = b.secretValue;
    this.secretWhere = b.secretWhere;
    // Redirects are refused, not followed: OkHttp strips only Authorization on a cross-host
    // redirect, and the secret header may have any name.
    this.client =
        b.client
            .newBuilder()
            .callTimeout(b.timeout)
            .followRedirects(false)
            .followSslRedirects(false)
            .build();
    this.retry =
        Retry.of(
            "web",
            RetryConfig.custom()
                .maxAttempts(b.maxAttempts)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(b.retryWait, 2.0))
                .retryOnException(e -> e instanceof ProviderException p && p.retryable())
                .build());
    this.breaker =
        CircuitBreaker.of(
            "web",
            CircuitBreakerConfig.custom()
                .failureRateThreshold(b.breakerFailureRate)
                .minimumNumberOfCalls(b.breakerMinimumCalls)
                .slidingWindowSize(Math.max(b.breakerMinimumCalls, 10))
                .waitDurationInOpenState(b.breakerOpenFor)
                .recordException(e -> e instanceof ProviderException p && p.retryable())
                .clock(b.clock.withZone(ZoneOffset.UTC))
                .build());
  }

  /**
   * A builder for the URL template {@code url}, e.g. {@code
   * https://metrics.example/api/releases/{{release}}?window={{window}}}. Placeholders may stand in
   * the path and the query, not in the scheme, host or port.
   *
   * @throws InvalidSpecException if it is not an http(s) URL, carries user-info or templates its
   *     host
   */
  public static Builder builder(String url) {
    return new Builder(url);
  }

  /**
   * The state of the circuit breaker around requests, for observability: {@code CLOSED}, {@code
   * OPEN} (requests are refused until it half-opens) or {@code HALF_OPEN}.
   */
  public String circuitBreakerState() {
    return breaker.getState().name();
  }

  @Override
  public MetricResult query(MetricQuery query) {
    Map<String, String> values = new HashMap<>();
    values.put("start", seconds(query.start()));
    values.put("end", seconds(query.end()));
    Duration step = query.step();
    if (step != null) {
      values.put("step", String.format(Locale.ROOT, "%.3f", step.toMillis() / 1000.0));
    }
    values.putAll(query.labels());
    // Everything is rendered and checked before the first byte is sent.
    String written = Template.render(query.metric(), values, v -> v, "query");
    JsonPath path = JsonValues.compile(written);
    HttpUrl url = HttpUrl.parse(Template.render(urlTemplate, values, WebMetricSource::pct, "url"));
    if (url == null || !url.host().equals(origin.host()) || url.port() != origin.port()) {
      throw new InvalidSpecException(
          "url",
          "does not render to a URL on " + origin.host() + " with these labels",
          "keep placeholders in the path and query only");
    }
    Request.Builder rb = new Request.Builder().url(url).headers(headers);
    if (bodyTemplate != null) {
      UnaryOperator<String> escape =
          contentType.subtype().contains("json") ? WebMetricSource::jsonEscape : v -> v;
      rb.method(
          method,
          RequestBody.create(Template.render(bodyTemplate, values, escape, "body"), contentType));
    } else {
      rb.method(method, "POST".equals(method) ? RequestBody.create(new byte[0], null) : null);
    }
    if (secretHeader != null && secretValue != null) {
      rb.header(secretHeader, secretValue.get());
    }
    Request request = rb.build();
    String detail = method + " " + shown(url) + " " + written;
    try {
      JsonNode doc =
          Retry.decorateSupplier(
                  retry, CircuitBreaker.decorateSupplier(breaker, () -> call(request, detail)))
              .get();
      return VALUES.extract(doc, path, written, query, detail);
    } catch (CallNotPermittedException e) {
      throw ProviderException.retryable(
          "web",
          "query",
          "circuit breaker open after repeated failures of "
              + shown(origin)
              + "; calls resume when it half-opens",
          e);
    }
  }

  private JsonNode call(Request request, String detail) {
    try (Response r = client.newCall(request).execute()) {
      int code = r.code();
      if (code >= 300 && code < 400) {
        throw ProviderException.permanent(
            "web",
            "query",
            "HTTP "
                + code
                + " redirect for "
                + detail
                + " (not followed, so the secret header stays with this host)");
      }
      if (!r.isSuccessful()) {
        String why = "HTTP " + code + " for " + detail;
        throw code >= 500 || code == 429 || code == 408
            ? ProviderException.retryable("web", "query", why)
            : ProviderException.permanent("web", "query", why);
      }
      byte[] bytes;
      ResponseBody body = r.body();
      // The endpoint is not trusted for the size of its answer.
      try (InputStream in = body == null ? InputStream.nullInputStream() : body.byteStream()) {
        bytes = in.readNBytes(MAX_BODY_BYTES + 1);
      }
      if (bytes.length > MAX_BODY_BYTES) {
        throw ProviderException.permanent(
            "web",
            "query",
            "the answer to " + detail + " is larger than " + MAX_BODY_BYTES + " bytes");
      }
      try {
        JsonNode doc = JSON.readTree(bytes);
        if (doc == null || doc.isMissingNode()) {
          throw new IOException("empty body");
        }
        return doc;
      } catch (IOException notJson) {
        // An HTML page from a proxy in front of the endpoint: retried like Prometheus does.
        throw ProviderException.retryable(
            "web", "query", "HTTP " + code + " for " + detail + " is not JSON");
      }
    } catch (IOException e) {
      throw ProviderException.retryable(
          "web",
          "query",
          "cannot reach " + shown(origin) + ": " + Redaction.userInfo(e.getMessage()),
          e);
    }
  }

  /** The URL as messages show it: no user-info, credential-like parameter values as {@code ***}. */
  static String shown(HttpUrl url) {
    HttpUrl.Builder b = url.newBuilder().username("").password("");
    for (String name : url.queryParameterNames()) {
      if (SECRET_NAME.matcher(name).find()) {
        b.setQueryParameter(name, "***");
      }
    }
    return b.build().toString();
  }

  private static String pct(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String jsonEscape(String v) {
    return new String(JsonStringEncoder.getInstance().quoteAsString(v));
  }

  private static String seconds(Instant t) {
    Instant ms = t.truncatedTo(ChronoUnit.MILLIS);
    return String.format(Locale.ROOT, "%d.%03d", ms.getEpochSecond(), ms.getNano() / 1_000_000);
  }

  @Override
  public String toString() {
    return "WebMetricSource{"
        + method
        + " "
        + origin.scheme()
        + "://"
        + origin.host()
        + ":"
        + origin.port()
        + (secretHeader == null ? "" : ", header " + secretHeader + " from " + secretWhere)
        + "}";
  }

  /**
   * Builds a {@link WebMetricSource}. Defaults: {@code GET}, no body, {@code application/json}
   * bodies, 10 s timeout, 3 attempts with 200 ms exponential backoff, breaker opening at 50 %
   * failures of at least 5 calls for 30 s, the system clock. Not thread-safe.
   */
  public static final class Builder {
    private final String url;
    private final HttpUrl origin;
    private String method = "GET";
    private @Nullable String body;
    private MediaType contentType = Objects.requireNonNull(MediaType.parse("application/json"));
    private final Headers.Builder headers = new Headers.Builder();
    private @Nullable String secretHeader;
    private @Nullable Supplier<String> secretValue;
    private String secretWhere = "a supplier";
    private OkHttpClient client = new OkHttpClient();
    private Duration timeout = Duration.ofSeconds(10);
    private int maxAttempts = 3;
    private Duration retryWait = Duration.ofMillis(200);
    private float breakerFailureRate = 50;
    private int breakerMinimumCalls = 5;
    private Duration breakerOpenFor = Duration.ofSeconds(30);
    private InstantSource clock = InstantSource.system();
    private final Set<String> insecureHosts = new TreeSet<>();
    private String urlPath = "web.url";

    private Builder(String url) {
      HttpUrl u = url == null ? null : HttpUrl.parse(url);
      if (u == null) {
        throw new InvalidSpecException(
            "web.url",
            "'" + Redaction.userInfo(url) + "' is not an http(s) URL",
            "use the endpoint's URL, e.g. https://metrics.example/api/{{release}}");
      }
      if (!u.username().isEmpty() || !u.password().isEmpty()) {
        throw new InvalidSpecException(
            "web.url",
            "'" + u.redact() + "' carries user-info (user:password@, not shown)",
            "remove it and send the credential in a secret header (secretHeader with"
                + " secretValueEnv or secretValueFile)");
      }
      int authorityEnd = url.indexOf('/', url.indexOf("//") + 2);
      String authority = authorityEnd < 0 ? url : url.substring(0, authorityEnd);
      if (Template.hasPlaceholder(authority)) {
        throw new InvalidSpecException(
            "web.url",
            "has a placeholder in its scheme, host or port (" + u.redact() + ")",
            "name the host literally; placeholders may stand in the path and query");
      }
      this.url = url;
      this.origin = u;
    }

    /** {@code GET} (the default) or {@code POST}. */
    public Builder method(String method) {
      String m = Objects.requireNonNull(method, "method").toUpperCase(Locale.ROOT);
      if (!m.equals("GET") && !m.equals("POST")) {
        throw new InvalidSpecException("web.method", "is '" + method + "'", "use GET or POST");
      }
      this.method = m;
      return this;
    }

    /** A body template, sent with {@code POST} as {@code contentType}. */
    public Builder body(String body, String contentType) {
      this.body = Objects.requireNonNull(body, "body");
      MediaType t = MediaType.parse(Objects.requireNonNull(contentType, "contentType"));
      if (t == null) {
        throw new InvalidSpecException(
            "web.contentType",
            "is '" + contentType + "'",
            "use a media type, e.g. application/json");
      }
      this.contentType = t;
      return this;
    }

    /**
     * A plain header sent with every request, e.g. {@code Accept: application/json}. A name that
     * looks like a credential is refused (its value is not shown): use {@link #secretHeader}.
     */
    public Builder header(String name, String value) {
      if (SECRET_NAME.matcher(name).find()) {
        throw new InvalidSpecException(
            "web.headers." + name,
            "looks like a credential written in the configuration (value not shown)",
            "send it as the secret header: secretHeader: "
                + name
                + " with secretValueEnv or secretValueFile");
      }
      try {
        headers.add(name, value);
      } catch (IllegalArgumentException e) {
        throw new InvalidSpecException(
            "web.headers." + name, "is not a valid HTTP header", "use visible ASCII");
      }
      return this;
    }

    /**
     * A header whose value is a credential (e.g. {@code Authorization} or {@code X-Api-Key}), asked
     * from {@code value} before every request so a rotated secret is used without a restart.
     *
     * @param where where the value comes from, for {@link #toString()} (e.g. {@code environment
     *     variable API_KEY}); never the value
     */
    public Builder secretHeader(String name, Supplier<String> value, String where) {
      if (name.isBlank() || !name.chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
        throw new InvalidSpecException(
            "web.secretHeader", "is not a header name", "e.g. Authorization or X-Api-Key");
      }
      this.secretHeader = name;
      this.secretValue = Objects.requireNonNull(value, "value");
      this.secretWhere = Objects.requireNonNull(where, "where");
      return this;
    }

    /** Hosts the secret header may reach over plain {@code http://}. Adds to earlier ones. */
    public Builder insecureHosts(Collection<String> hosts) {
      for (String h : hosts) {
        insecureHosts.add(Objects.requireNonNull(h, "host").toLowerCase(Locale.ROOT));
      }
      return this;
    }

    /** The OkHttp client to share; timeouts and the no-redirect rule apply to a derived client. */
    public Builder client(OkHttpClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /** Time limit of one HTTP call, body included. */
    public Builder timeout(Duration timeout) {
      this.timeout = positive(timeout, "web.timeout");
      return this;
    }

    /** Attempts per query (1 = no retry) and the first backoff, doubled each retry. */
    public Builder retries(int maxAttempts, Duration firstWait) {
      if (maxAttempts < 1) {
        throw new InvalidSpecException("web.maxAttempts", "is " + maxAttempts, "use 1 or more");
      }
      this.maxAttempts = maxAttempts;
      this.retryWait = positive(firstWait, "web.retryWait");
      return this;
    }

    /**
     * Opens the breaker at {@code failureRatePercent} failures of at least {@code minimumCalls},
     * for {@code openFor}.
     */
    public Builder circuitBreaker(float failureRatePercent, int minimumCalls, Duration openFor) {
      if (!(failureRatePercent > 0 && failureRatePercent <= 100) || minimumCalls < 1) {
        throw new InvalidSpecException(
            "web.breaker",
            "failure rate " + failureRatePercent + "%, minimum calls " + minimumCalls,
            "use a rate in (0, 100] and at least 1 call");
      }
      this.breakerFailureRate = failureRatePercent;
      this.breakerMinimumCalls = minimumCalls;
      this.breakerOpenFor = positive(openFor, "web.breakerOpenFor");
      return this;
    }

    /** The clock of the circuit breaker's open period (the host's, virtual under the testkit). */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the source; no I/O.
     *
     * @throws InvalidSpecException if a body is set for {@code GET}, or the secret header would be
     *     sent over plain HTTP to a host not in {@link #insecureHosts}
     */
    public WebMetricSource build() {
      if (body != null && method.equals("GET")) {
        throw new InvalidSpecException(
            "web.body", "is set for a GET request", "set method: POST, or remove the body");
      }
      if (secretHeader != null && !origin.isHttps() && !insecureHosts.contains(origin.host())) {
        throw new InvalidSpecException(
            urlPath,
            "is plain HTTP ("
                + origin.redact()
                + "), so the secret header would travel in clear text to anyone on the path",
            "use https://, or if the path to "
                + origin.host()
                + " is trusted, list it in insecureHosts");
      }
      return new WebMetricSource(this, origin);
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
