// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link RolloutStrategy} compiles: move a service from its stable release to a target.
 *
 * @param stable the release serving now, or null for a first deployment
 * @param target the release to roll out
 * @param replicas how many instances the service runs at full scale, at least 1
 */
public record PlanRequest(@Nullable Release stable, Release target, int replicas) {
  /** Validates the request. */
  public PlanRequest {
    Objects.requireNonNull(target, "target");
    if (replicas < 1) {
      throw new InvalidSpecException("replicas", "is " + replicas, "run at least 1 replica");
    }
    if (stable != null && !stable.service().equals(target.service())) {
      throw new InvalidSpecException(
          "stable.service",
          "is '" + stable.service() + "', target's is '" + target.service() + "'",
          "roll out releases of one service per request");
    }
  }

  /** The service. */
  public String service() {
    return target.service();
  }
}
