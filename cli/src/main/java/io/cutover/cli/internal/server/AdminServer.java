// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli.internal.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's HTTP layer on the JDK's {@code com.sun.net.httpserver}: a bearer token on every
 * request but {@code GET /healthz} (compared in constant time, never logged), a request size limit
 * (a larger {@code Content-Length} is refused without keeping the body: up to 4 MiB of it is read
 * and dropped so that the 413 reaches the client; a chunked body is cut off at the limit), optional
 * TLS, and a small pool of handler threads that never run on an engine's scheduler. Requests are
 * logged with method, path and status, never with headers or bodies.
 */
public final class AdminServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

  private final HttpServer http;
  private final ExecutorService pool;
  private final AdminApi api;
  private final byte[] tokenHash;
  private final int maxBytes;
  private final String scheme;

  private AdminServer(
      HttpServer http,
      ExecutorService pool,
      AdminApi api,
      byte[] tokenHash,
      int maxBytes,
      String scheme) {
    this.http = http;
    this.pool = pool;
    this.api = api;
    this.tokenHash = tokenHash;
    this.maxBytes = maxBytes;
    this.scheme = scheme;
  }

  /**
   * Binds and starts the server.
   *
   * @throws IOException if the address cannot be bound or the keystore cannot be read
   */
  public static AdminServer start(ServerConfig config, AdminApi api) throws IOException {
    // The JDK server's own limits (read once, when its classes load): a request must arrive
    // within 30 s, so a slow client cannot hold a handler thread.
    setIfAbsent("sun.net.httpserver.maxReqTime", "30");
    setIfAbsent("sun.net.httpserver.maxRspTime", "60");
    setIfAbsent("sun.net.httpserver.maxReqHeaders", "100");
    InetSocketAddress addr = config.listen();
    HttpServer http;
    String scheme;
    if (config.tls() != null) {
      HttpsServer https = HttpsServer.create(addr, 64);
      https.setHttpsConfigurator(new HttpsConfigurator(sslContext(config.tls())));
      http = https;
      scheme = "https";
    } else {
      http = HttpServer.create(addr, 64);
      scheme = "http";
    }
    AtomicLong n = new AtomicLong();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "cutover-admin-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    AdminServer server =
        new AdminServer(
            http, pool, api, sha256(config.token().value()), config.maxRequestBytes(), scheme);
    http.createContext("/", server::handle);
    http.setExecutor(pool);
    http.start();
    return server;
  }

  /** The URL the server answers on, e.g. {@code http://127.0.0.1:7070}. */
  public String url() {
    InetSocketAddress a = http.getAddress();
    String host = a.getAddress().getHostAddress();
    return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String method = ex.getRequestMethod();
      String path = ex.getRequestURI().getPath();
      AdminApi.Response r;
      if (path.equals("/healthz") && method.equals("GET")) {
        r = new AdminApi.Response(200, "text/plain", "ok\n".getBytes(StandardCharsets.UTF_8));
      } else if (!authorized(ex)) {
        ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"cutover\"");
        r =
            AdminApi.Response.json(
                401,
                Json.error(
                    "missing or wrong bearer token (fix: send 'Authorization: Bearer <token>' with"
                        + " the server's token)",
                    List.of()));
      } else {
        byte[] body = readBody(ex);
        if (body == null) {
          drain(ex);
        }
        r =
            body == null
                ? AdminApi.Response.json(
                    413,
                    Json.error(
                        "the request body is larger than "
                            + maxBytes
                            + " bytes (fix: send less, or raise limits.maxRequestBytes)",
                        List.of()))
                : api.handle(new AdminApi.Request(method, path, body));
      }
      send(ex, r);
      LOG.info("{} {} -> {}", method, path, r.status());
    } catch (RuntimeException e) {
      LOG.warn(
          "admin request failed: {} {}", ex.getRequestMethod(), ex.getRequestURI().getPath(), e);
      throw e;
    }
  }

  private static void send(HttpExchange ex, AdminApi.Response r) throws IOException {
    ex.getResponseHeaders().set("Content-Type", r.contentType());
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
    if (r.body().length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(r.body());
      }
    }
  }

  /** Constant time: both sides are hashed first, so neither length nor prefix leaks. */
  private boolean authorized(HttpExchange ex) {
    String h = ex.getRequestHeaders().getFirst("Authorization");
    if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return MessageDigest.isEqual(tokenHash, sha256(h.substring(7).strip()));
  }

  /** How much of a refused body is read and dropped before the 413 is sent. */
  private static final long DRAIN_BYTES = 4L << 20;

  /**
   * Reads and drops up to {@link #DRAIN_BYTES} of a refused body. Closing a connection with unread
   * bytes in its receive buffer makes the kernel answer with a TCP reset, which can destroy the 413
   * before the client reads it; a body larger than this is still cut off (and may get the reset).
   */
  private static void drain(HttpExchange ex) {
    try (InputStream in = ex.getRequestBody()) {
      long left = DRAIN_BYTES;
      byte[] buf = new byte[8192];
      int n;
      while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
        left -= n;
      }
    } catch (IOException e) {
      // The client went away: nothing to answer.
    }
  }

  /** The body, or null if it is larger than the limit. */
  private byte @Nullable [] readBody(HttpExchange ex) throws IOException {
    String declared = ex.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      try {
        if (Long.parseLong(declared.strip()) > maxBytes) {
          return null;
        }
      } catch (NumberFormatException e) {
        return null;
      }
    }
    try (InputStream in = ex.getRequestBody()) {
      byte[] b = in.readNBytes(maxBytes + 1);
      return b.length > maxBytes ? null : b;
    }
  }

  private static SSLContext sslContext(ServerConfig.Tls tls) throws IOException {
    try {
      KeyStore ks = KeyStore.getInstance(tls.type());
      char[] pw = tls.password().value().toCharArray();
      try (InputStream in = Files.newInputStream(tls.keystore())) {
        ks.load(in, pw);
      }
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, pw);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException(
          "tls.keystore " + tls.keystore() + " cannot be used: " + e.getClass().getSimpleName(), e);
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /** Stops accepting, lets requests in flight finish for up to a second, stops the threads. */
  @Override
  public void close() {
    http.stop(1);
    pool.shutdownNow();
  }
}
