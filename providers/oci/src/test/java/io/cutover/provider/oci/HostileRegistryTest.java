// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.DigestMismatchException;
import io.cutover.api.ProviderException;
import io.cutover.api.TagRef;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * "A hostile world" (issue 11): registries that redirect across schemes and hosts, loop on 401,
 * send gigantic, endless or trickling bodies, lie about digests and serve an index in place of its
 * own child. Every case must end in a typed error within bounded time ({@link Timeout} per test,
 * and the measured time), send no credential where it should not (asserted on the request journal
 * of every server that is not the credentials' host) and read no more than its limits: surefire
 * runs this class in its own execution with {@code -Xmx96m} (providers/oci/pom.xml), where reading
 * an endless body whole would end in an {@link OutOfMemoryError}.
 *
 * <p>The servers are WireMock (HTTPS with its self-signed certificate, trusted by the test's client
 * only) and, for the endless body, a raw socket server: WireMock cannot stream without end.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HostileRegistryTest {
  static final String SECRET = "hostile-canary-pw-7f3a";
  static final String PRESIGNED = "X-Amz-Signature=presigned-canary-91c2";
  static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
  static final Duration BOUND = Duration.ofSeconds(10);

  static WireMockServer tls; // the registry, over HTTPS
  static WireMockServer plain; // a plain-HTTP server: the downgrade target, or an insecure registry
  static WireMockServer storage; // another HTTPS host: blob storage behind presigned URLs
  static WireMockServer other; // another plain-HTTP host

  @BeforeAll
  static void start() {
    tls =
        new WireMockServer(
            options().httpDisabled(true).dynamicHttpsPort().bindAddress("127.0.0.1"));
    storage =
        new WireMockServer(
            options().httpDisabled(true).dynamicHttpsPort().bindAddress("127.0.0.1"));
    plain = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    other = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    for (WireMockServer s : List.of(tls, storage, plain, other)) {
      s.start();
    }
  }

  @AfterAll
  static void stop() {
    for (WireMockServer s : List.of(tls, storage, plain, other)) {
      s.stop();
    }
  }

  @BeforeEach
  void reset() {
    for (WireMockServer s : List.of(tls, storage, plain, other)) {
      s.resetAll();
    }
  }

  // ------------------------------------------------------------------ helpers

  static String tlsHost() {
    return "127.0.0.1:" + tls.httpsPort();
  }

  static String plainHost() {
    return "127.0.0.1:" + plain.port();
  }

  static String manifest(Digest config) {
    return "{\"schemaVersion\":2,\"mediaType\":\""
        + MANIFEST_TYPE
        + "\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
        + config
        + "\",\"size\":2},\"layers\":[]}";
  }

  static ResponseDefinitionBuilder manifestResponse(String body) {
    return aResponse()
        .withStatus(200)
        .withHeader("Content-Type", MANIFEST_TYPE)
        .withHeader("Docker-Content-Digest", Digest.sha256(body).toString())
        .withBody(body);
  }

  static ResponseDefinitionBuilder basicChallenge() {
    return aResponse().withStatus(401).withHeader("WWW-Authenticate", "Basic realm=\"registry\"");
  }

  /** A client that trusts WireMock's self-signed certificate; test code only. */
  static OkHttpClient trustingClient(Duration timeout) {
    X509TrustManager trustAll =
        new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {trustAll}, null);
      return new OkHttpClient.Builder()
          .sslSocketFactory(ctx.getSocketFactory(), trustAll)
          .hostnameVerifier((host, session) -> true)
          .connectTimeout(timeout)
          .readTimeout(timeout)
          .callTimeout(timeout.multipliedBy(3))
          .build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static OciArtifactStore.Builder store(String credentialsHost) {
    return OciArtifactStore.builder()
        .httpClient(trustingClient(Duration.ofSeconds(2)))
        .insecure(plainHost(), "127.0.0.1:" + other.port())
        .retry(1, Duration.ofMillis(5))
        .credentials(CredentialsProvider.of(Map.of(credentialsHost, Credentials.of("ci", SECRET))));
  }

  /** Runs {@code call}, expects it to fail within {@link #BOUND}, returns the failure. */
  static Throwable failsInBoundedTime(Runnable call) {
    long start = System.nanoTime();
    Throwable t = catchThrowable(call::run);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND);
    assertThat(t).as("a typed failure").isNotNull();
    assertThat(t.getMessage()).doesNotContain(SECRET).doesNotContain(PRESIGNED);
    assertThat(String.valueOf(t)).doesNotContain(SECRET);
    return t;
  }

  static void assertNoCredentialsReached(WireMockServer s) {
    for (ServeEvent e : s.getAllServeEvents()) {
      assertThat(e.getRequest().containsHeader("Authorization"))
          .as("Authorization sent to %s", e.getRequest().getAbsoluteUrl())
          .isFalse();
    }
  }

  // ------------------------------------------------------------------ redirects

  @Test
  @DisplayName(
      "an HTTPS registry redirecting to plain HTTP: not followed, a permanent error, nothing sent in clear text")
  void httpsToHttpRedirect() {
    String path = "/v2/demo/app/manifests/1.0";
    tls.stubFor(
        get(urlEqualTo(path)).withHeader("Authorization", absent()).willReturn(basicChallenge()));
    tls.stubFor(
        get(urlEqualTo(path))
            .withHeader(
                "Authorization",
                com.github.tomakehurst.wiremock.client.WireMock.matching("Basic .*"))
            .willReturn(
                aResponse()
                    .withStatus(302)
                    .withHeader("Location", "http://" + plainHost() + path)));
    plain.stubFor(get(urlEqualTo(path)).willReturn(basicChallenge()));

    try (OciArtifactStore s = store(tlsHost()).build()) {
      Throwable t = failsInBoundedTime(() -> s.resolve(new TagRef(tlsHost() + "/demo/app", "1.0")));
      assertThat(t).isInstanceOf(ProviderException.class).hasMessageContaining("was not followed");
      assertThat(((ProviderException) t).retryable()).isFalse();
    }
    assertThat(plain.getAllServeEvents()).as("requests that reached plain HTTP").isEmpty();
  }

  @Test
  @DisplayName(
      "an insecure registry whose token realm is another plain-HTTP host not listed: credentials refused, the realm gets nothing")
  void plainTokenRealmOnUnlistedHost() throws IOException {
    try (EndlessServer realm = new EndlessServer()) {
      String path = "/v2/demo/app/manifests/1.0";
      plain.stubFor(
          get(urlEqualTo(path))
              .willReturn(
                  aResponse()
                      .withStatus(401)
                      .withHeader(
                          "WWW-Authenticate",
                          "Bearer realm=\"http://127.0.0.1:"
                              + realm.port()
                              + "/token\",service=\"r\"")));
      try (OciArtifactStore s = store(plainHost()).build()) {
        Throwable t =
            failsInBoundedTime(() -> s.resolve(new TagRef(plainHost() + "/demo/app", "1.0")));
        assertThat(t)
            .isInstanceOf(ProviderException.class)
            .hasMessageContaining("over plain HTTP")
            .hasMessageContaining("insecure");
      }
      assertThat(realm.requests()).isEmpty();
    }
  }

  @Test
  @DisplayName(
      "a blob redirected to storage with a presigned URL: served, storage sees no Authorization, errors never quote the signature")
  void blobRedirectToPresignedStorage() throws IOException {
    byte[] blob = "layer bytes".getBytes(StandardCharsets.UTF_8);
    Digest d = Digest.sha256(blob);
    String blobPath = "/v2/demo/app/blobs/" + d;
    String presigned = "https://127.0.0.1:" + storage.httpsPort() + "/bucket/data?" + PRESIGNED;
    tls.stubFor(
        get(urlEqualTo(blobPath))
            .withHeader("Authorization", absent())
            .willReturn(basicChallenge()));
    tls.stubFor(
        get(urlEqualTo(blobPath))
            .withHeader(
                "Authorization",
                com.github.tomakehurst.wiremock.client.WireMock.matching("Basic .*"))
            .willReturn(aResponse().withStatus(307).withHeader("Location", presigned)));
    storage.stubFor(get(urlPathEqualTo("/bucket/data")).willReturn(aResponse().withBody(blob)));

    ArtifactRef ref = new ArtifactRef(tlsHost() + "/demo/app", d);
    try (OciArtifactStore s = store(tlsHost()).build();
        InputStream in = s.fetch(ref)) {
      assertThat(in.readAllBytes()).isEqualTo(blob);
    }
    assertThat(storage.getAllServeEvents()).hasSize(1);
    assertNoCredentialsReached(storage);

    // The same redirect, but storage serves other bytes: the mismatch names the redacted URL.
    storage.resetAll();
    storage.stubFor(
        get(urlPathEqualTo("/bucket/data")).willReturn(aResponse().withBody("tampered")));
    try (OciArtifactStore s = store(tlsHost()).build()) {
      Throwable t =
          failsInBoundedTime(
              () -> {
                // A streamed blob is checked at its end: read it all.
                try (InputStream in = s.fetch(ref)) {
                  in.transferTo(OutputStream.nullOutputStream());
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      assertThat(t)
          .isInstanceOf(DigestMismatchException.class)
          .hasMessageContaining("/bucket/data?<redacted>");
    }
    assertNoCredentialsReached(storage);
  }

  @Test
  @DisplayName("a redirect loop: a typed error after OkHttp's follow-up limit, in bounded time")
  void redirectLoop() {
    String path = "/v2/demo/app/manifests/1.0";
    plain.stubFor(
        get(urlEqualTo(path))
            .willReturn(
                aResponse()
                    .withStatus(302)
                    .withHeader("Location", "http://" + plainHost() + path)));
    try (OciArtifactStore s = store(plainHost()).build()) {
      Throwable t =
          failsInBoundedTime(() -> s.resolve(new TagRef(plainHost() + "/demo/app", "1.0")));
      assertThat(t).isInstanceOf(ProviderException.class);
    }
    assertThat(plain.getAllServeEvents()).hasSizeLessThanOrEqualTo(21);
  }

  // ------------------------------------------------------------------ 401 loops

  @Test
  @DisplayName("Basic 401 forever: credentials sent once, then a permanent access-denied error")
  void basicLoop() {
    tls.stubFor(any(anyUrl()).willReturn(basicChallenge()));
    try (OciArtifactStore s = store(tlsHost()).build()) {
      Throwable t = failsInBoundedTime(() -> s.resolve(new TagRef(tlsHost() + "/demo/app", "1.0")));
      assertThat(t).isInstanceOf(ProviderException.class).hasMessageContaining("access denied");
      assertThat(((ProviderException) t).retryable()).isFalse();
    }
    assertThat(tls.getAllServeEvents()).hasSize(2);
  }

  @Test
  @DisplayName(
      "Bearer 401 forever with a token service that always answers: at most two tokens fetched")
  void bearerLoop() {
    tls.stubFor(
        get(urlPathMatching("/v2/.*"))
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader(
                        "WWW-Authenticate",
                        "Bearer realm=\"https://" + tlsHost() + "/token\",service=\"r\"")));
    tls.stubFor(
        get(urlPathEqualTo("/token")).willReturn(aResponse().withBody("{\"token\":\"t\"}")));
    try (OciArtifactStore s = store(tlsHost()).build()) {
      Throwable t = failsInBoundedTime(() -> s.resolve(new TagRef(tlsHost() + "/demo/app", "1.0")));
      assertThat(t).isInstanceOf(ProviderException.class).hasMessageContaining("access denied");
    }
    long tokens =
        tls.getAllServeEvents().stream()
            .filter(e -> e.getRequest().getUrl().startsWith("/token"))
            .count();
    assertThat(tokens).isLessThanOrEqualTo(2);
    assertThat(tls.getAllServeEvents()).hasSizeLessThanOrEqualTo(5);
  }

  // ------------------------------------------------------------------ sizes and time

  @Test
  @DisplayName("a 5 MiB manifest: ResponseTooLargeException naming the 4 MiB limit")
  void giganticManifest() {
    char[] pad = new char[5 * 1024 * 1024];
    Arrays.fill(pad, ' ');
    String body = manifest(Digest.sha256("{}")) + new String(pad);
    plain.stubFor(get(urlEqualTo("/v2/demo/app/manifests/1.0")).willReturn(manifestResponse(body)));
    try (OciArtifactStore s = store(plainHost()).build()) {
      Throwable t =
          failsInBoundedTime(() -> s.resolve(new TagRef(plainHost() + "/demo/app", "1.0")));
      assertThat(t)
          .isInstanceOfSatisfying(
              ResponseTooLargeException.class,
              e -> assertThat(e.limit()).isEqualTo(4L * 1024 * 1024))
          .hasMessageContaining("4194304 bytes");
    }
  }

  @Test
  @DisplayName("a 300 KiB token answer: ResponseTooLargeException naming the 256 KiB limit")
  void giganticToken() {
    plain.stubFor(
        get(urlPathMatching("/v2/.*"))
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader(
                        "WWW-Authenticate",
                        "Bearer realm=\"http://" + plainHost() + "/token\",service=\"r\"")));
    char[] pad = new char[300 * 1024];
    Arrays.fill(pad, 'x');
    plain.stubFor(
        get(urlPathEqualTo("/token"))
            .willReturn(aResponse().withBody("{\"token\":\"" + new String(pad) + "\"}")));
    try (OciArtifactStore s = store(plainHost()).build()) {
      Throwable t =
          failsInBoundedTime(() -> s.resolve(new TagRef(plainHost() + "/demo/app", "1.0")));
      assertThat(t)
          .isInstanceOfSatisfying(
              ResponseTooLargeException.class, e -> assertThat(e.limit()).isEqualTo(256L * 1024))
          .hasMessageContaining("token answer");
    }
  }

  @Test
  @DisplayName(
      "an endless image config (chunked, behind a redirect): refused at 4 MiB with a 96 MiB heap, no credentials to the other host")
  void endlessConfig() throws IOException {
    try (EndlessServer endless = new EndlessServer()) {
      Digest config = Digest.sha256("never ends");
      String body = manifest(config);
      plain.stubFor(
          get(urlEqualTo("/v2/demo/app/manifests/1.0"))
              .withHeader("Authorization", absent())
              .willReturn(basicChallenge()));
      plain.stubFor(
          get(urlEqualTo("/v2/demo/app/manifests/1.0"))
              .withHeader(
                  "Authorization",
                  com.github.tomakehurst.wiremock.client.WireMock.matching("Basic .*"))
              .willReturn(manifestResponse(body)));
      plain.stubFor(
          get(urlEqualTo("/v2/demo/app/blobs/" + config))
              .willReturn(
                  aResponse()
                      .withStatus(307)
                      .withHeader(
                          "Location",
                          "http://127.0.0.1:" + endless.port() + "/config?" + PRESIGNED)));
      try (OciArtifactStore s = store(plainHost()).build()) {
        ArtifactRef ref = s.resolve(new TagRef(plainHost() + "/demo/app", "1.0"));
        Throwable t = failsInBoundedTime(() -> s.describe(ref));
        assertThat(t)
            .isInstanceOfSatisfying(
                ResponseTooLargeException.class,
                e -> assertThat(e.limit()).isEqualTo(OciArtifactStore.MAX_CONFIG_BYTES))
            .hasMessageContaining("image config");
      }
      assertThat(endless.requests()).hasSize(1);
      assertThat(endless.requests().get(0)).doesNotContainIgnoringCase("authorization");
    }
  }

  @Test
  @DisplayName("a slow-loris manifest (a chunk every 150 ms for 30 s): the call timeout ends it")
  void slowLoris() {
    plain.stubFor(
        get(urlEqualTo("/v2/demo/app/manifests/1.0"))
            .willReturn(
                manifestResponse(manifest(Digest.sha256("{}")))
                    .withChunkedDribbleDelay(200, 30_000)));
    try (OciArtifactStore s =
        OciArtifactStore.builder()
            .httpClient(trustingClient(Duration.ofMillis(400)))
            .insecure(plainHost())
            .retry(1, Duration.ofMillis(5))
            .build()) {
      Throwable t =
          failsInBoundedTime(() -> s.resolve(new TagRef(plainHost() + "/demo/app", "1.0")));
      assertThat(t).isInstanceOf(ProviderException.class).hasMessageContaining("timed out");
    }
  }

  // ------------------------------------------------------------------ lies

  @Test
  @DisplayName("a Docker-Content-Digest that lies: DigestMismatchException, not retried")
  void lyingDigestHeader() {
    String body = manifest(Digest.sha256("{}"));
    plain.stubFor(
        get(urlEqualTo("/v2/demo/app/manifests/1.0"))
            .willReturn(
                manifestResponse(body)
                    .withHeader("Docker-Content-Digest", Digest.sha256("another").toString())));
    try (OciArtifactStore s = store(plainHost()).build()) {
      Throwable t =
          failsInBoundedTime(() -> s.resolve(new TagRef(plainHost() + "/demo/app", "1.0")));
      assertThat(t).isInstanceOf(DigestMismatchException.class);
    }
    assertThat(plain.getAllServeEvents()).hasSize(1);
  }

  @Test
  @DisplayName(
      "an index served in place of its own child (a self-referencing index): one lookup, then a digest mismatch")
  void indexPointingToItself() {
    String index =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
            + "{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\""
            + Digest.sha256("the child")
            + "\",\"size\":9,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}";
    plain.stubFor(
        get(urlPathMatching("/v2/demo/app/manifests/.*"))
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", "application/vnd.oci.image.index.v1+json")
                    .withHeader("Docker-Content-Digest", Digest.sha256(index).toString())
                    .withBody(index)));
    try (OciArtifactStore s = store(plainHost()).platform(Platform.parse("linux/amd64")).build()) {
      ArtifactRef child = s.resolve(new TagRef(plainHost() + "/demo/app", "1.0"));
      assertThat(child.digest()).isEqualTo(Digest.sha256("the child"));
      Throwable t = failsInBoundedTime(() -> s.describe(child));
      assertThat(t).isInstanceOf(DigestMismatchException.class);
      Throwable v =
          failsInBoundedTime(
              () -> s.verify(new ArtifactRef(plainHost() + "/demo/app", Digest.sha256(index))));
      assertThat(v).isInstanceOf(DigestMismatchException.class);
    }
    assertThat(plain.getAllServeEvents()).hasSizeLessThanOrEqualTo(4);
  }

  // ------------------------------------------------------------------ a server without end

  /**
   * Answers every request with a chunked body that never ends (64 KiB chunks until the client hangs
   * up), and records each request's head.
   */
  static final class EndlessServer implements AutoCloseable {
    private final ServerSocket socket;
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    final AtomicLong written = new AtomicLong();

    EndlessServer() throws IOException {
      socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
      Thread t = new Thread(this::serve, "endless-server");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    List<String> requests() {
      return List.copyOf(requests);
    }

    private void serve() {
      while (!socket.isClosed()) {
        try (Socket c = socket.accept()) {
          BufferedReader r =
              new BufferedReader(
                  new InputStreamReader(c.getInputStream(), StandardCharsets.US_ASCII));
          StringBuilder head = new StringBuilder();
          for (String line = r.readLine(); line != null && !line.isEmpty(); line = r.readLine()) {
            head.append(line).append('\n');
          }
          requests.add(head.toString());
          OutputStream out = c.getOutputStream();
          out.write(
              "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
          byte[] chunk = new byte[64 * 1024];
          Arrays.fill(chunk, (byte) '{');
          byte[] size = "10000\r\n".getBytes(StandardCharsets.US_ASCII);
          byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
          while (true) {
            out.write(size);
            out.write(chunk);
            out.write(crlf);
            written.addAndGet(chunk.length);
          }
        } catch (IOException clientGone) {
          // The client hung up (or the server was closed): serve the next one.
        }
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
