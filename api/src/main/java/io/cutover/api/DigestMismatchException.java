// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

/**
 * Content did not hash to the digest it was supposed to have: a corrupted download, a tampered
 * file, or a registry that answered with another object. Never retried silently.
 */
public class DigestMismatchException extends CutoverException {
  private static final long serialVersionUID = 1L;
  private final String subject;
  private final Digest expected;
  private final Digest actual;

  /**
   * @param subject what was checked (a blob path, a manifest URL, an artifact reference)
   * @param expected the digest the content should have
   * @param actual the digest the content has
   */
  public DigestMismatchException(String subject, Digest expected, Digest actual) {
    super(
        subject
            + ": content digest "
            + actual
            + " does not match the expected "
            + expected
            + " (fix: the content was modified or corrupted; re-fetch it from a trusted source and never deploy it as is)");
    this.subject = subject;
    this.expected = expected;
    this.actual = actual;
  }

  /** What was checked. */
  public String subject() {
    return subject;
  }

  /** The digest the content should have had. */
  public Digest expected() {
    return expected;
  }

  /** The digest the content actually had. */
  public Digest actual() {
    return actual;
  }
}
