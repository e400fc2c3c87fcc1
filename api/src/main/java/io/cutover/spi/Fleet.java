// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import io.cutover.api.Instance;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import java.util.List;

/**
 * Runs instances of releases: launches new units, reports what runs, and stops units. Cutover never
 * patches a running unit: an upgrade launches new instances and retires old ones.
 *
 * <p><b>Idempotency.</b> Every mutating call carries an {@link OperationId}. Calling {@link
 * #launch} twice with the same id launches once and returns the same instances; {@link #retire},
 * {@link #scale} and {@link #drain} are idempotent likewise (retiring a release that has no
 * instances succeeds).
 *
 * <p><b>Readiness.</b> {@link #launch} and {@link #scale} return once the new instances are READY,
 * or throw if they cannot become ready; the engine bounds the wait with its time limiter.
 *
 * <p><b>Threading.</b> Safe for concurrent use across services; the engine never issues two
 * concurrent calls for the same service.
 *
 * <p><b>Errors.</b> {@link ProviderException}, retryable when trying again may help.
 */
public interface Fleet {

  /** Launches {@code replicas} instances of a release and returns them once READY. */
  List<Instance> launch(OperationId op, Release release, int replicas);

  /**
   * Sets the number of instances of a release, launching or stopping the difference; returns the
   * instances. When scaling down, the most recently launched instances are stopped first: the
   * engine moves traffic off exactly those (the last ones in launch order) before it calls this
   * method.
   */
  List<Instance> scale(OperationId op, Release release, int replicas);

  /** Marks a release's instances DRAINING: they finish in-flight work and take no new traffic. */
  void drain(OperationId op, Release release);

  /** Stops every instance of a release (gracefully, then forcibly); succeeds if none runs. */
  void retire(OperationId op, Release release);

  /** Every non-terminated instance of a service, with its state and running digest. */
  List<Instance> instances(String service);

  /**
   * Stops one instance of a service (gracefully, then forcibly), leaving the release's other
   * instances running: how drift repair retires a drifted unit after its replacement is routed.
   * Idempotent by {@code op}; succeeds if the instance is already stopped or unknown.
   *
   * <p>Optional: the default refuses with a non-retryable {@link ProviderException}, and the {@code
   * DriftDetector} then quarantines the drifted instance from routing instead of replacing it.
   *
   * @param op the operation id, deterministic per drifted instance
   * @param service the instance's service
   * @param instanceId an id from {@link #instances(String)}
   * @throws ProviderException if the fleet cannot stop single instances or the stop failed
   */
  default void retireInstance(OperationId op, String service, String instanceId) {
    throw ProviderException.permanent(
        getClass().getSimpleName(),
        "retireInstance",
        "this fleet cannot stop a single instance ("
            + instanceId
            + " of "
            + service
            + "): implement Fleet.retireInstance to let drift repair replace it");
  }
}
