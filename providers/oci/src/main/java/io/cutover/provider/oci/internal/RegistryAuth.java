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
 * <p>Credentials never travel over plain HTTP unless the registry itself was reached over plain
 * HTTP (listed as insecure). Nothing secret is logged or put in an exception message. Thread-safe.
 */
public final class RegistryAuth implements Authenticator, Interceptor {
  private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);
  private static final Duration REFRESH_MARGIN = Duration.ofSeconds(5);

  private final CredentialsProvider credentials;
  private final OkHttpClient tokenClient;
  private final InstantSource clock;
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();
  private final Map<String, Boolean> basicHosts = new ConcurrentHashMap<>();

  private record Token(String value, Instant expires) {}

  public RegistryAuth(
      CredentialsProvider credentials, OkHttpClient tokenClient, InstantSource clock) {
    this.credentials = credentials;
    this.tokenClient = tokenClient;
    this.clock = clock;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request req = chain.request();
    if (req.header("Authorization") == null) {
      String host = hostKey(req.url());
      Token t = tokens.get(host + " " + scopeOf(req.url()));
      if (t != null && clock.instant().isBefore(t.expires)) {
        req = req.newBuilder().header("Authorization", "Bearer " + t.value).build();
      } else if (basicHosts.containsKey(host)) {
        Credentials c = credentials.credentials(host);
        if (c != null) {
          req = req.newBuilder().header("Authorization", c.basicHeader()).build();
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
        return req.newBuilder().header("Authorization", "Bearer " + t.value).build();
      }
      if (scheme.equals("basic")) {
        Credentials creds = credentials.credentials(host);
        if (creds == null || creds.basicHeader().equals(req.header("Authorization"))) {
          return null;
        }
        requireSafeTransport(host, req.url(), req.url());
        basicHosts.put(host, Boolean.TRUE);
        return req.newBuilder().header("Authorization", creds.basicHeader()).build();
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
      requireSafeTransport(host, requestUrl, realmUrl);
      tokenReq.header("Authorization", creds.basicHeader());
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
      JsonNode doc = Manifests.JSON.readTree(r.body().bytes());
      String token = doc.path("token").asText(doc.path("access_token").asText(""));
      if (token.isEmpty()) {
        throw new AuthenticationFailedException(
            "the token service of " + host + " answered without a token");
      }
      long seconds = doc.path("expires_in").asLong(DEFAULT_TOKEN_LIFETIME.toSeconds());
      Instant expires = clock.instant().plusSeconds(Math.max(seconds, 1)).minus(REFRESH_MARGIN);
      return new Token(token, expires);
    }
  }

  private static void requireSafeTransport(String host, HttpUrl registryUrl, HttpUrl target)
      throws AuthenticationFailedException {
    // Plain HTTP for credentials only where the user already accepted plain HTTP for this registry.
    if (!target.isHttps() && registryUrl.isHttps()) {
      throw new AuthenticationFailedException(
          "registry "
              + host
              + " asked for credentials over plain HTTP ("
              + target.host()
              + "); refused (fix: use a registry whose token service is served over HTTPS)");
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
