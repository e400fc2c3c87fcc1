// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.cutover.provider.oci.Credentials;
import io.cutover.provider.oci.CredentialsProvider;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.Authenticator;
import okhttp3.Challenge;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.Route;
import org.jspecify.annotations.Nullable;

/**
 * Answers registry challenges: {@code Basic} with the host's credentials, {@code Bearer} by
 * fetching a token from the challenge's realm (with the host's credentials if any, anonymously
 * otherwise) for the challenge's service and scope. Tokens are cached per host and repository scope
 * until shortly before they expire, and attached up front by {@link #intercept} so that only the
 * first request of a scope pays the 401 round trip.
 *
 * <p>Where credentials go: the host's Basic credentials only to that host (and to the token realm
 * its challenge names, which is how the token protocol works), a token only to the host it was
 * issued for; each attached header is tagged with its {@link CredentialGuard.Origin}, and the
 * {@link CredentialGuard} strips it from any hop to another origin (a redirect to blob storage).
 * Credentials travel over plain HTTP only to hosts the user listed as insecure; a challenge that
 * asks for them over plain HTTP otherwise fails with {@link AuthenticationFailedException}. Nothing
 * secret is logged or put in an exception message.
 *
 * <p>A token's {@code expires_in} is bounded to {@link #MIN_TOKEN_LIFETIME}..{@link
 * #MAX_TOKEN_LIFETIME} (absent, zero, negative or non-numeric: the protocol's default of 60 s), so
 * a hostile answer can neither overflow the expiry nor pin a token forever. The token answer is
 * read up to {@link #MAX_TOKEN_BYTES}. Thread-safe.
 */
public final class RegistryAuth implements Authenticator, Interceptor {
  /** The lifetime assumed when a token answer states none (the token protocol's default). */
  static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);

  /** The shortest lifetime believed: shorter (or non-positive) answers get the default. */
  static final Duration MIN_TOKEN_LIFETIME = Duration.ofSeconds(1);

  /** The longest a token is cached, whatever the answer claims. */
  static final Duration MAX_TOKEN_LIFETIME = Duration.ofHours(1);

  /** The largest token answer read; real ones are a few kilobytes. */
  public static final long MAX_TOKEN_BYTES = 256L * 1024;

  private static final Duration REFRESH_MARGIN = Duration.ofSeconds(5);

  private final CredentialsProvider credentials;
  private final OkHttpClient tokenClient;
  private final InstantSource clock;
  private final CredentialGuard guard;
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();
  private final Map<String, Boolean> basicHosts = new ConcurrentHashMap<>();

  private record Token(String value, Instant expires) {}

  /**
   * @param tokenClient the client for token requests; it should carry {@code guard} as a network
   *     interceptor and not follow redirects across schemes
   * @param guard decides which hosts may get credentials over plain HTTP
   */
  public RegistryAuth(
      CredentialsProvider credentials,
      OkHttpClient tokenClient,
      InstantSource clock,
      CredentialGuard guard) {
    this.credentials = credentials;
    this.tokenClient = tokenClient;
    this.clock = clock;
    this.guard = guard;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request req = chain.request();
    if (req.header("Authorization") == null) {
      String host = hostKey(req.url());
      Token t = tokens.get(host + " " + scopeOf(req.url()));
      if (t != null && clock.instant().isBefore(t.expires)) {
        req = authorized(req, "Bearer " + t.value);
      } else if (basicHosts.containsKey(host) && guard.transportSafe(req.url())) {
        Credentials c = credentials.credentials(host);
        if (c != null) {
          req = authorized(req, c.basicHeader());
        }
      }
    }
    return chain.proceed(req);
  }

  @Override
  public @Nullable Request authenticate(@Nullable Route route, Response response)
      throws IOException {
    Request req = response.request();
    String host = hostKey(req.url());
    if (priorResponses(response) >= 2) {
      return null; // Answered twice already: the credentials do not work; the 401 reaches the
      // caller.
    }
    for (Challenge c : response.challenges()) {
      String scheme = c.scheme().toLowerCase(Locale.ROOT);
      if (scheme.equals("bearer")) {
        String realm = c.authParams().get("realm");
        if (realm == null) {
          continue;
        }
        Token t =
            fetchToken(
                host, req.url(), realm, c.authParams().get("service"), c.authParams().get("scope"));
        tokens.put(host + " " + scopeOf(req.url()), t);
        return authorized(req, "Bearer " + t.value);
      }
      if (scheme.equals("basic")) {
        Credentials creds = credentials.credentials(host);
        if (creds == null || creds.basicHeader().equals(req.header("Authorization"))) {
          return null;
        }
        requireSafeTransport(host, req.url());
        basicHosts.put(host, Boolean.TRUE);
        return authorized(req, creds.basicHeader());
      }
    }
    return null;
  }

  private Token fetchToken(
      String host,
      HttpUrl requestUrl,
      String realm,
      @Nullable String service,
      @Nullable String scope)
      throws IOException {
    HttpUrl realmUrl = HttpUrl.parse(realm);
    if (realmUrl == null) {
      throw new AuthenticationFailedException(
          "registry " + host + " sent a bearer challenge with an invalid realm");
    }
    HttpUrl.Builder url = realmUrl.newBuilder();
    if (service != null) {
      url.addQueryParameter("service", service);
    }
    url.addQueryParameter("scope", scope != null ? scope : scopeOf(requestUrl));
    Request.Builder tokenReq = new Request.Builder().url(url.build());
    Credentials creds = credentials.credentials(host);
    if (creds != null) {
      requireSafeTransport(host, realmUrl);
      tokenReq
          .header("Authorization", creds.basicHeader())
          .tag(CredentialGuard.Origin.class, CredentialGuard.Origin.of(realmUrl));
    }
    try (Response r = tokenClient.newCall(tokenReq.build()).execute()) {
      if (r.code() == 401 || r.code() == 403) {
        throw new AuthenticationFailedException(
            "the token service of "
                + host
                + " refused "
                + (creds == null ? "anonymous access" : "the configured credentials (redacted)")
                + " with HTTP "
                + r.code()
                + " (fix: configure credentials for '"
                + host
                + "' that grant pull access)");
      }
      if (!r.isSuccessful()) {
        throw new IOException("the token service of " + host + " answered HTTP " + r.code());
      }
      JsonNode doc =
          Manifests.JSON.readTree(
              RegistryClient.readLimited(
                  r.body(),
                  MAX_TOKEN_BYTES,
                  "the token answer of " + Urls.redact(realmUrl) + " for " + host));
      String token = doc.path("token").asText(doc.path("access_token").asText(""));
      if (token.isEmpty()) {
        throw new AuthenticationFailedException(
            "the token service of " + host + " answered without a token");
      }
      return new Token(token, expiry(clock.instant(), doc.path("expires_in")));
    }
  }

  /**
   * When a token with this {@code expires_in} stops being used: within the bounds, minus a margin
   * so that it is not sent in its last seconds.
   */
  static Instant expiry(Instant now, JsonNode expiresIn) {
    Duration lifetime = DEFAULT_TOKEN_LIFETIME;
    // Only a whole number is believed (asLong() of a huge number wraps, of text is 0); one beyond
    // a long is as good as infinite and gets the cap.
    if (expiresIn.isIntegralNumber()) {
      long seconds =
          expiresIn.canConvertToLong()
              ? expiresIn.longValue()
              : expiresIn.bigIntegerValue().signum() > 0 ? Long.MAX_VALUE : 0;
      if (seconds >= MIN_TOKEN_LIFETIME.toSeconds()) {
        lifetime = Duration.ofSeconds(Math.min(seconds, MAX_TOKEN_LIFETIME.toSeconds()));
      }
    }
    Duration margin =
        lifetime.compareTo(REFRESH_MARGIN.multipliedBy(2)) < 0
            ? lifetime.dividedBy(2)
            : REFRESH_MARGIN;
    return now.plus(lifetime).minus(margin);
  }

  private static Request authorized(Request req, String header) {
    return req.newBuilder()
        .header("Authorization", header)
        .tag(CredentialGuard.Origin.class, CredentialGuard.Origin.of(req.url()))
        .build();
  }

  private void requireSafeTransport(String host, HttpUrl target)
      throws AuthenticationFailedException {
    // Plain HTTP for credentials only to a host the user listed as insecure: a redirect or a
    // challenge from an HTTPS registry cannot downgrade it.
    if (!guard.transportSafe(target)) {
      throw new AuthenticationFailedException(
          "registry "
              + host
              + " asked for its credentials over plain HTTP ("
              + Urls.redact(target)
              + "); refused (fix: serve the registry and its token service over HTTPS, or, only on"
              + " a trusted network, list '"
              + hostKey(target)
              + "' as insecure)");
    }
  }

  /** {@code repository:<name>:pull} for a {@code /v2/<name>/(manifests|blobs|tags)/...} URL. */
  static String scopeOf(HttpUrl url) {
    List<String> segs = url.pathSegments();
    int end = segs.size();
    for (int i = segs.size() - 1; i > 0; i--) {
      String s = segs.get(i);
      if (s.equals("manifests") || s.equals("blobs") || s.equals("tags")) {
        end = i;
        break;
      }
    }
    return "repository:" + String.join("/", segs.subList(Math.min(1, end), end)) + ":pull";
  }

  static String hostKey(HttpUrl url) {
    return url.port() == HttpUrl.defaultPort(url.scheme())
        ? url.host()
        : url.host() + ":" + url.port();
  }

  private static int priorResponses(Response response) {
    int n = 0;
    for (Response r = response.priorResponse(); r != null; r = r.priorResponse()) {
      n++;
    }
    return n;
  }
}
