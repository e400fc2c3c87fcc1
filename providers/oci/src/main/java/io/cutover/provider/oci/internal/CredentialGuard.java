// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci.internal;

import java.io.IOException;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The last check before a request leaves (an OkHttp <em>network</em> interceptor, so it sees every
 * hop of a redirect chain): an {@code Authorization} header goes only to the origin (scheme, host,
 * port) it was attached for, recorded as a {@link Origin} tag by {@link RegistryAuth}, and never
 * over plain HTTP to a host not listed as insecure. Anything else leaves without the header: a
 * registry that redirects a blob to storage (a presigned URL, authorized by its query) or to
 * another host gets no credentials carried along. Thread-safe, stateless.
 */
public final class CredentialGuard implements Interceptor {
  private final Set<String> insecureHosts;

  /** The origin an {@code Authorization} header was attached for. */
  public record Origin(String scheme, String host, int port) {
    static Origin of(HttpUrl url) {
      return new Origin(url.scheme(), url.host(), url.port());
    }

    boolean matches(HttpUrl url) {
      return scheme.equals(url.scheme()) && host.equals(url.host()) && port == url.port();
    }
  }

  /**
   * @param insecureHosts {@code host[:port]} keys reached over plain HTTP by the user's choice
   */
  public CredentialGuard(Set<String> insecureHosts) {
    this.insecureHosts = Set.copyOf(insecureHosts);
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request req = chain.request();
    if (req.header("Authorization") != null && !allowed(req)) {
      req = req.newBuilder().removeHeader("Authorization").build();
    }
    return chain.proceed(req);
  }

  private boolean allowed(Request req) {
    Origin origin = req.tag(Origin.class);
    return origin != null && origin.matches(req.url()) && transportSafe(req.url());
  }

  /** HTTPS, or plain HTTP to a host the user listed as insecure. */
  boolean transportSafe(HttpUrl url) {
    return url.isHttps() || insecureHosts.contains(RegistryAuth.hostKey(url));
  }
}
