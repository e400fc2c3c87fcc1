// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci.internal;

import java.io.IOException;

/**
 * An answer longer than its limit, as an {@link IOException} so that it can leave OkHttp's
 * authenticator; {@link RegistryClient#ioFailure} turns it into the public {@link
 * io.cutover.provider.oci.ResponseTooLargeException}.
 */
public final class TooLargeException extends IOException {
  private static final long serialVersionUID = 1L;
  private final String what;
  private final long limit;

  TooLargeException(String what, long limit) {
    super(what + " is larger than " + limit + " bytes");
    this.what = what;
    this.limit = limit;
  }

  /** What was read, without secrets. */
  public String what() {
    return what;
  }

  /** The limit in bytes. */
  public long limit() {
    return limit;
  }
}
