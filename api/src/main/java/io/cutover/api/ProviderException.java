// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import org.jspecify.annotations.Nullable;

/**
 * A provider (router, fleet, store, gate, metric source, journal) failed to perform an operation.
 *
 * <p>{@link #retryable()} tells the engine whether trying again may help (a timeout, a 503) or not
 * (a refused configuration). The engine retries retryable failures with backoff, then aborts the
 * rollout with this exception's message as the reason.
 *
 * <p>Create one with {@link #retryable(String, String, String, Throwable)} or {@link
 * #permanent(String, String, String, Throwable)}: the name says what the engine will do with it,
 * where a positional boolean did not. The message is {@code "<provider>.<operation> failed:
 * <message>"}; it must never contain secrets (credentials, tokens, passwords), because it reaches
 * logs, events and the journal.
 */
public class ProviderException extends CutoverException {
  private static final long serialVersionUID = 1L;
  private final String provider;
  private final String operation;
  private final boolean retryable;

  /**
   * A retryable failure.
   *
   * @deprecated use {@link #retryable(String, String, String)}, which says what it is
   */
  @Deprecated
  public ProviderException(String provider, String operation, String message) {
    this(provider, operation, message, true, null);
  }

  /**
   * A failure with an explicit retry decision.
   *
   * @param provider the provider's name, e.g. {@code haproxy}
   * @param operation the operation that failed, e.g. {@code route}
   * @param message what happened, without secrets
   * @param retryable whether a later attempt may succeed
   * @param cause the underlying failure, if any
   * @deprecated use {@link #retryable(String, String, String, Throwable)} or {@link
   *     #permanent(String, String, String, Throwable)}; subclasses may keep calling it
   */
  @Deprecated
  public ProviderException(
      String provider,
      String operation,
      String message,
      boolean retryable,
      @Nullable Throwable cause) {
    super(provider + "." + operation + " failed: " + message, cause);
    this.provider = provider;
    this.operation = operation;
    this.retryable = retryable;
  }

  /**
   * A failure that a later attempt may overcome: a timeout, a refused connection, an HTTP 503.
   *
   * @param provider the provider's name, e.g. {@code haproxy}
   * @param operation the operation that failed, e.g. {@code route}
   * @param message what happened, without secrets
   */
  public static ProviderException retryable(String provider, String operation, String message) {
    return retryable(provider, operation, message, null);
  }

  /**
   * A failure that a later attempt may overcome, with the failure that caused it.
   *
   * @param provider the provider's name, e.g. {@code haproxy}
   * @param operation the operation that failed, e.g. {@code route}
   * @param message what happened, without secrets
   * @param cause the underlying failure, if any
   */
  @SuppressWarnings("deprecation")
  public static ProviderException retryable(
      String provider, String operation, String message, @Nullable Throwable cause) {
    return new ProviderException(provider, operation, message, true, cause);
  }

  /**
   * A failure that trying again cannot fix: a refused configuration, a missing binary, a closed
   * journal. The engine does not retry it.
   *
   * @param provider the provider's name, e.g. {@code haproxy}
   * @param operation the operation that failed, e.g. {@code route}
   * @param message what happened and, where possible, how to fix it; without secrets
   */
  public static ProviderException permanent(String provider, String operation, String message) {
    return permanent(provider, operation, message, null);
  }

  /**
   * A failure that trying again cannot fix, with the failure that caused it.
   *
   * @param provider the provider's name, e.g. {@code haproxy}
   * @param operation the operation that failed, e.g. {@code route}
   * @param message what happened and, where possible, how to fix it; without secrets
   * @param cause the underlying failure, if any
   */
  @SuppressWarnings("deprecation")
  public static ProviderException permanent(
      String provider, String operation, String message, @Nullable Throwable cause) {
    return new ProviderException(provider, operation, message, false, cause);
  }

  /** The provider's name. */
  public String provider() {
    return provider;
  }

  /** The operation that failed. */
  public String operation() {
    return operation;
  }

  /** Whether retrying may help. */
  public boolean retryable() {
    return retryable;
  }
}
