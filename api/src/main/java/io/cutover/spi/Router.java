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
 * <p><b>Read-back is exact.</b> After {@code apply(op, service, split, backends)} returns, {@code
 * current(service)} must return a split {@link TrafficSplit#equals equal} to {@code split}: the
 * same weight map (a release at weight 0 stays in it, e.g. a blue/green preview or a canary before
 * its first step; a release the split no longer names is gone), the same {@link
 * TrafficSplit#rules() match rules} in the same order (none if the split has none, so rules of an
 * earlier split are cleared) and the same {@link TrafficSplit#mirror() mirror} (or none). The
 * engine reads every route back and treats any difference as a failed route, which aborts the
 * rollout; the testkit's {@code RouterContract} checks exactly this.
 *
 * <p><b>Capabilities.</b> A router that cannot apply part of a split never drops that part: it
 * refuses the whole split with a non-retryable {@link ProviderException} and leaves the previous
 * split in effect. The parts a router may lack, which its {@code RouterContract} subclass declares
 * (the kit then checks the refusal): match rules ({@code supportsMatchRules()}), a mirror ({@code
 * supportsMirror()}), and weights other than 0 % / 100 % ({@code supportsFractionalWeights()}, for
 * routers that switch all traffic at once such as a Kubernetes Service selector). Everything else
 * (any number of releases, weights in basis points, weight-0 releases) every router supports.
 *
 * <p><b>Idempotency.</b> Applying the split already in effect is a no-op; a repeated {@link
 * OperationId} must not produce a visible change twice, and never undoes a later split.
 *
 * <p><b>Backends.</b> The engine passes the READY instances of every release named in the split; a
 * release with weight 0 may have no instances. A router must never send traffic to an instance that
 * is not in the latest backends it was given.
 *
 * <p><b>Threading.</b> Safe for concurrent use across services; one call at a time per service.
 *
 * <p><b>Errors.</b> {@link ProviderException}; on failure the previous split must still be in
 * effect. Retryable for transient failures (the routing system unreachable), not retryable for a
 * split the router can never apply.
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
