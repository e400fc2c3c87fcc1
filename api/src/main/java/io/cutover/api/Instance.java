// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * One running unit of a release, as reported by a {@link io.cutover.spi.Fleet}.
 *
 * @param id the fleet's id for the instance, unique within the fleet
 * @param releaseId the release it was launched for
 * @param endpoint where it serves traffic, if it does (e.g. {@code http://127.0.0.1:41234})
 * @param state its lifecycle state
 * @param runningDigest the artifact digest the fleet observes running, for drift detection; null if
 *     the fleet cannot tell
 */
public record Instance(
    String id,
    String releaseId,
    @Nullable URI endpoint,
    InstanceState state,
    @Nullable Digest runningDigest) {
  /** Validates the required parts. */
  public Instance {
    Check.notBlank(id, "instance.id");
    Check.notBlank(releaseId, "instance.releaseId");
    Check.notNull(state, "instance.state");
  }

  /** A copy in another state. */
  public Instance withState(InstanceState newState) {
    return new Instance(id, releaseId, endpoint, newState, runningDigest);
  }
}
