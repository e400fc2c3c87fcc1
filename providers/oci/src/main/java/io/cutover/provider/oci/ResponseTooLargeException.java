// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci;

import io.cutover.api.ProviderException;

/**
 * A registry or its token service sent more bytes than the OCI store reads for that kind of answer
 * (a manifest, a tag page, an image config, a token). The store stops reading at the limit, so a
 * hostile or broken registry cannot exhaust the heap. Never retryable: the same registry will send
 * the same answer. The message names the answer, the limit and where it came from (URLs without
 * their query, which may hold a presigned signature).
 */
public final class ResponseTooLargeException extends ProviderException {
  private static final long serialVersionUID = 1L;
  private final long limit;

  /**
   * @param operation the store operation, e.g. {@code resolve}
   * @param what what was being read and from where, without secrets
   * @param limit the limit in bytes that the answer exceeds
   */
  @SuppressWarnings("deprecation") // The explicit constructor is the one meant for subclasses.
  public ResponseTooLargeException(String operation, String what, long limit) {
    super(
        "oci",
        operation,
        what
            + " is larger than "
            + limit
            + " bytes, the most the OCI store reads for it; refused (a registry sending this is"
            + " broken or hostile)",
        false,
        null);
    this.limit = limit;
  }

  /** The limit, in bytes, that the answer exceeded. */
  public long limit() {
    return limit;
  }
}
