// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci.internal;

import io.cutover.api.ProviderException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.retry.Retry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one registry operation against an ordered list of endpoints (the registry, then its
 * mirrors): an attempt tries each endpoint whose circuit breaker admits calls and stops at the
 * first answer that is not a retryable failure; when every endpoint failed retryably, Resilience4j
 * retries the attempt after a backoff on the injected scheduler. Non-retryable outcomes (404,
 * digest mismatch, refused credentials) end the operation at once and are never hidden by a mirror.
 * Thread-safe.
 */
public final class Failover {
  private static final Logger LOG = LoggerFactory.getLogger(Failover.class);

  private final Retry retry;
  private final ScheduledExecutorService scheduler;

  public Failover(Retry retry, ScheduledExecutorService scheduler) {
    this.retry = retry;
    this.scheduler = scheduler;
  }

  /** One call against one endpoint. */
  @FunctionalInterface
  public interface EndpointCall<T> {
    T call(Endpoint endpoint);
  }

  /**
   * Runs {@code call} with failover and retries.
   *
   * @throws ProviderException (retryable) naming every endpoint's last failure when all attempts
   *     failed
   */
  public <T> T run(String operation, List<Endpoint> endpoints, EndpointCall<T> call) {
    int[] attempts = {0};
    CompletionStage<T> stage =
        retry.executeCompletionStage(
            scheduler,
            () -> {
              attempts[0]++;
              try {
                return CompletableFuture.completedFuture(attempt(operation, endpoints, call));
              } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
              }
            });
    try {
      return stage.toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ProviderException.retryable("oci", operation, "interrupted while waiting to retry", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ProviderException pe && pe.retryable()) {
        throw ProviderException.retryable(
            "oci", operation, "gave up after " + attempts[0] + " attempt(s): " + detail(pe), pe);
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw ProviderException.permanent("oci", operation, String.valueOf(cause), cause);
    }
  }

  /** The message without the "provider.operation failed: " prefix, for nesting. */
  static String detail(ProviderException pe) {
    String prefix = pe.provider() + "." + pe.operation() + " failed: ";
    String m = String.valueOf(pe.getMessage());
    return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
  }

  private <T> T attempt(String operation, List<Endpoint> endpoints, EndpointCall<T> call) {
    List<String> failures = new ArrayList<>();
    ProviderException last = null;
    for (Endpoint e : endpoints) {
      try {
        T result = e.breaker().executeCheckedSupplier(() -> call.call(e));
        if (!failures.isEmpty()) {
          LOG.info("oci {}: served by {} after {}", operation, e, failures);
        }
        return result;
      } catch (CallNotPermittedException open) {
        failures.add(e + ": circuit open after repeated failures");
      } catch (ProviderException pe) {
        if (!pe.retryable()) {
          throw pe;
        }
        last = pe;
        failures.add(detail(pe));
        LOG.debug("oci {}: {} failed: {}", operation, e, detail(pe));
      } catch (RuntimeException re) {
        throw re;
      } catch (Throwable t) {
        throw ProviderException.permanent("oci", operation, e + ": " + t, t);
      }
    }
    throw ProviderException.retryable(
        "oci", operation, "no endpoint could serve it: " + String.join("; ", failures), last);
  }
}
