// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import io.cutover.api.Instance;
import io.cutover.api.ProviderException;
import io.cutover.api.TrafficSplit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sends a service's traffic to its releases according to a {@link TrafficSplit}.
 *
 * <p><b>Atomicity.</b> {@link #apply} switches from the old split to the new one as one change: no
 * request sees a mixture that is neither. When it returns, the new split is in effect; {@link
 * #current} reads back what is in effect from the routing system itself, not from a cache of the
 * last call.
 *
 * <p><b>Idempotency.</b> Applying the split already in effect is a no-op; a repeated {@link
 * OperationId} must not produce a visible change twice.
 *
 * <p><b>Backends.</b> The engine passes the READY instances of every release named in the split; a
 * release with weight 0 may have no instances. A router must never send traffic to an instance that
 * is not in the latest backends it was given.
 *
 * <p><b>Threading.</b> Safe for concurrent use across services; one call at a time per service.
 *
 * <p><b>Errors.</b> {@link ProviderException}; on failure the previous split must still be in
 * effect.
 */
public interface Router {

  /** Applies {@code split} for {@code service}, routing to the given backends per release id. */
  void apply(
      OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends);

  /**
   * The split in effect for a service, as read from the routing system; empty if it routes nothing.
   */
  Optional<TrafficSplit> current(String service);
}
