package io.cutover.api;

import org.jspecify.annotations.Nullable;

/**
 * A provider (router, fleet, store, gate, metric source, journal) failed to perform an operation.
 *
 * <p>{@link #retryable()} tells the engine whether trying again may help (a timeout, a 503) or not (a
 * refused configuration). The engine retries retryable failures with backoff, then aborts the rollout
 * with this exception's message as the reason.
 */
public class ProviderException extends CutoverException {
  private static final long serialVersionUID = 1L;
  private final String provider;
  private final String operation;
  private final boolean retryable;

  /** A retryable failure. */
  public ProviderException(String provider, String operation, String message) {
    this(provider, operation, message, true, null);
  }

  /**
   * @param provider the provider's name, e.g. {@code haproxy}
   * @param operation the operation that failed, e.g. {@code route}
   * @param message what happened, without secrets
   * @param retryable whether a later attempt may succeed
   * @param cause the underlying failure, if any
   */
  public ProviderException(String provider, String operation, String message, boolean retryable,
      @Nullable Throwable cause) {
    super(provider + "." + operation + " failed: " + message, cause);
    this.provider = provider;
    this.operation = operation;
    this.retryable = retryable;
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
