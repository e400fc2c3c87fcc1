// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci.internal;

import okhttp3.HttpUrl;

/**
 * URLs as they may appear in messages, logs and journal records: without user info, query or
 * fragment. A blob redirect goes to a presigned storage URL whose query string is a bearer secret
 * (an S3 {@code X-Amz-Signature}, an Azure SAS token); quoting it would hand out the blob.
 */
public final class Urls {
  private Urls() {}

  /** {@code scheme://host[:port]/path}, plus {@code ?<redacted>} if there was a query. */
  public static String redact(HttpUrl url) {
    StringBuilder s = new StringBuilder(url.scheme()).append("://").append(url.host());
    if (url.port() != HttpUrl.defaultPort(url.scheme())) {
      s.append(':').append(url.port());
    }
    s.append(url.encodedPath());
    if (url.encodedQuery() != null) {
      s.append("?<redacted>");
    }
    return s.toString();
  }

  /** {@link #redact(HttpUrl)} of a URL in text form; unparseable text is not quoted at all. */
  public static String redact(String url) {
    HttpUrl parsed = HttpUrl.parse(url);
    return parsed == null ? "<unparseable URL>" : redact(parsed);
  }
}
