// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import okhttp3.HttpUrl;

/**
 * One place a repository can be read from: the registry itself or one of its mirrors, with the
 * circuit breaker that guards it.
 *
 * @param host {@code host[:port]}, the key for credentials and the name in messages
 * @param base {@code scheme://host[:port]/}
 * @param pathPrefix a path prepended to repository paths on a mirror (e.g. {@code cache/docker}),
 *     or empty
 * @param breaker the endpoint's circuit breaker
 */
public record Endpoint(String host, HttpUrl base, String pathPrefix, CircuitBreaker breaker) {

  /** {@code base/v2/<prefix>/<path>/<segments...>}. */
  public HttpUrl url(String path, String... segments) {
    HttpUrl.Builder b = base.newBuilder().addPathSegment("v2");
    if (!pathPrefix.isEmpty()) {
      b.addPathSegments(pathPrefix);
    }
    b.addPathSegments(path);
    for (String s : segments) {
      b.addPathSegment(s);
    }
    return b.build();
  }

  @Override
  public String toString() {
    return host + (pathPrefix.isEmpty() ? "" : "/" + pathPrefix);
  }
}
