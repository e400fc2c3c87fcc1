// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.cutover.api.Digest;
import io.cutover.api.ProviderException;
import io.cutover.provider.oci.ResponseTooLargeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import javax.net.ssl.SSLException;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.jspecify.annotations.Nullable;

/**
 * The distribution API calls, one HTTP exchange each, with the store's error model: 404 is {@link
 * NoSuchElementException}; 408, 429, 5xx and I/O failures are retryable {@link ProviderException}s;
 * 401/403 after authentication and TLS failures are not. Thread-safe.
 */
public final class RegistryClient {
  /** The largest manifest read (the distribution default limit); bigger answers are refused. */
  public static final long MAX_MANIFEST_BYTES = 4L * 1024 * 1024;

  /** The largest page of a tag list read. */
  public static final long MAX_TAG_PAGE_BYTES = 4L * 1024 * 1024;

  private final OkHttpClient http;

  public RegistryClient(OkHttpClient http) {
    this.http = http;
  }

  /** A manifest as received. */
  public record Fetched(
      byte[] body, @Nullable String digestHeader, @Nullable String contentType, String url) {}

  /** A page of tags and the URL of the next page, if any. */
  public record TagPage(List<String> tags, @Nullable HttpUrl next) {}

  /** {@code GET /v2/<path>/manifests/<reference>} with every manifest media type accepted. */
  public Fetched getManifest(Endpoint e, String path, String reference, String operation) {
    HttpUrl url = e.url(path, "manifests", reference);
    Request req = new Request.Builder().url(url).header("Accept", Manifests.ACCEPT).build();
    try (Response r = http.newCall(req).execute()) {
      check(r, e, operation, "manifest " + path + ":" + reference);
      return new Fetched(
          readLimited(
              r.body(), MAX_MANIFEST_BYTES, "manifest " + path + ":" + reference + " at " + e),
          r.header("Docker-Content-Digest"),
          r.header("Content-Type"),
          url.toString());
    } catch (IOException ex) {
      throw ioFailure(ex, e, operation);
    }
  }

  /** {@code HEAD /v2/<path>/manifests/<reference>}: the digest the registry states, unverified. */
  public @Nullable String headManifest(
      Endpoint e, String path, String reference, String operation) {
    Request req =
        new Request.Builder()
            .url(e.url(path, "manifests", reference))
            .head()
            .header("Accept", Manifests.ACCEPT)
            .build();
    try (Response r = http.newCall(req).execute()) {
      check(r, e, operation, "manifest " + path + ":" + reference);
      return r.header("Docker-Content-Digest");
    } catch (IOException ex) {
      throw ioFailure(ex, e, operation);
    }
  }

  /** {@code GET /v2/<path>/blobs/<digest>}; the caller owns (and must close) the response. */
  public Response openBlob(Endpoint e, String path, Digest digest, String operation) {
    Request req = new Request.Builder().url(e.url(path, "blobs", digest.toString())).build();
    Response r;
    try {
      r = http.newCall(req).execute();
    } catch (IOException ex) {
      throw ioFailure(ex, e, operation);
    }
    try {
      check(r, e, operation, "blob " + path + "@" + digest);
      return r;
    } catch (RuntimeException ex) {
      r.close();
      throw ex;
    }
  }

  /** One page of {@code GET /v2/<path>/tags/list}. */
  public TagPage tags(Endpoint e, String path, @Nullable HttpUrl page, String operation) {
    HttpUrl url =
        page != null
            ? page
            : e.url(path, "tags", "list").newBuilder().addQueryParameter("n", "1000").build();
    try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
      check(r, e, operation, "tags of " + path);
      JsonNode doc =
          Manifests.JSON.readTree(
              readLimited(r.body(), MAX_TAG_PAGE_BYTES, "a tag list page of " + path + " at " + e));
      List<String> tags = new ArrayList<>();
      // An empty repository answers "tags": null.
      doc.path("tags").forEach(t -> tags.add(t.asText()));
      return new TagPage(tags, nextPage(url, r.header("Link")));
    } catch (IOException ex) {
      throw ioFailure(ex, e, operation);
    }
  }

  private static @Nullable HttpUrl nextPage(HttpUrl current, @Nullable String link) {
    if (link == null || !link.contains("rel=\"next\"")) {
      return null;
    }
    int lt = link.indexOf('<');
    int gt = link.indexOf('>');
    return lt < 0 || gt < lt ? null : current.resolve(link.substring(lt + 1, gt));
  }

  /** Throws the error a non-2xx response means. */
  public static void check(Response r, Endpoint e, String operation, String subject) {
    int code = r.code();
    if (r.isSuccessful()) {
      return;
    }
    if (r.isRedirect()) {
      // OkHttp follows redirects itself, except those that change scheme (followSslRedirects is
      // off): an HTTPS registry must not be able to move a request to plain HTTP.
      String location = r.header("Location");
      HttpUrl target = location == null ? null : r.request().url().resolve(location);
      throw ProviderException.permanent(
          "oci",
          operation,
          "HTTP "
              + code
              + " from "
              + e
              + " for "
              + subject
              + ": a redirect to "
              + (target == null ? "an invalid location" : Urls.redact(target))
              + " was not followed; redirects that change scheme (https/http) are refused so that"
              + " nothing meant for TLS travels in clear text (fix: have the registry redirect to"
              + " HTTPS)");
    }
    String at = " at " + e;
    if (code == 404) {
      throw new NoSuchElementException(subject + " not found" + at + " (HTTP 404)");
    }
    if (code == 401 || code == 403) {
      throw ProviderException.permanent(
          "oci",
          operation,
          "HTTP "
              + code
              + " from "
              + e
              + " for "
              + subject
              + ": access denied (fix: configure credentials for '"
              + e.host()
              + "' in the CredentialsProvider, or check that they grant pull access; credentials are never shown)");
    }
    boolean retryable = code == 408 || code == 429 || code >= 500;
    String retryAfter = r.header("Retry-After");
    String why =
        "HTTP "
            + code
            + " from "
            + e
            + " for "
            + subject
            + (retryAfter == null ? "" : " (Retry-After: " + retryAfter + ")");
    throw retryable
        ? ProviderException.retryable("oci", operation, why)
        : ProviderException.permanent("oci", operation, why);
  }

  /** Maps a transport failure: TLS problems are configuration errors, the rest may pass. */
  public static ProviderException ioFailure(IOException ex, Endpoint e, String operation) {
    if (ex instanceof TooLargeException tl) {
      return new ResponseTooLargeException(operation, tl.what(), tl.limit());
    }
    if (ex instanceof AuthenticationFailedException) {
      return ProviderException.permanent("oci", operation, String.valueOf(ex.getMessage()), ex);
    }
    if (ex instanceof SSLException) {
      return ProviderException.permanent(
          "oci",
          operation,
          "TLS with "
              + e
              + " failed ("
              + ex.getMessage()
              + "); fix: give the JVM a trust store with the registry's CA, or, only for a registry that serves plain"
              + " HTTP on a trusted network, list '"
              + e.host()
              + "' as insecure",
          ex);
    }
    String kind = ex instanceof InterruptedIOException ? "timed out" : "failed";
    return ProviderException.retryable(
        "oci", operation, "request to " + e + " " + kind + " (" + ex + ")", ex);
  }

  /**
   * Reads a whole body of at most {@code limit} bytes; a longer one is refused after {@code limit +
   * 1} bytes, whatever its declared length, so an endless body costs no more than that.
   *
   * @param what what is read and from where, for the error (no secrets, no query strings)
   * @throws TooLargeException if the body is longer than {@code limit}
   */
  public static byte[] readLimited(ResponseBody body, long limit, String what) throws IOException {
    BufferedSource source = body.source();
    if (body.contentLength() > limit || source.request(limit + 1)) {
      throw new TooLargeException(what, limit);
    }
    return source.readByteArray();
  }

  /** {@link #readLimited(ResponseBody, long, String)} of a stream (a blob being verified). */
  public static byte[] readLimited(InputStream in, long limit, String what) throws IOException {
    byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
    if (bytes.length > limit) {
      throw new TooLargeException(what, limit);
    }
    return bytes;
  }
}
