// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * One running unit of a release, as reported by a {@link io.cutover.spi.Fleet}.
 *
 * <p>Immutable. A fleet reports what it observes; the engine and the {@code DriftDetector} compare
 * {@link #runningDigest()} and {@link #runningConfig()} with the release's artifact and config
 * digests to find drift (a unit patched in place, or running another config than its release's).
 *
 * @param id the fleet's id for the instance, unique within the fleet
 * @param releaseId the release it was launched for
 * @param endpoint where it serves traffic, if it does (e.g. {@code http://127.0.0.1:41234})
 * @param state its lifecycle state
 * @param runningDigest the artifact digest the fleet observes running, for drift detection; null if
 *     the fleet cannot tell
 * @param runningConfig the digest of the configuration snapshot the fleet observes the instance
 *     running with (compared with {@link ConfigRef#digest()} of its release); null if the fleet
 *     cannot tell
 * @param reason why the instance is in its state, in a human-readable line without secrets: set for
 *     {@link InstanceState#FAILED} (crash, failed readiness, image pull error, ...) when the fleet
 *     knows it; null otherwise
 */
public record Instance(
    String id,
    String releaseId,
    @Nullable URI endpoint,
    InstanceState state,
    @Nullable Digest runningDigest,
    @Nullable Digest runningConfig,
    @Nullable String reason) {
  /**
   * Validates the required parts.
   *
   * @throws InvalidSpecException if the id or release id is blank, the state is missing, or the
   *     reason is blank (use null for no reason)
   */
  public Instance {
    Check.notBlank(id, "instance.id");
    Check.notBlank(releaseId, "instance.releaseId");
    Check.notNull(state, "instance.state");
    if (reason != null && reason.isBlank()) {
      throw new InvalidSpecException(
          "instance.reason", "is blank", "pass null when the fleet does not know why");
    }
  }

  /**
   * An instance whose running config and reason the fleet does not report (the shape before the
   * reason and config fields existed).
   */
  public Instance(
      String id,
      String releaseId,
      @Nullable URI endpoint,
      InstanceState state,
      @Nullable Digest runningDigest) {
    this(id, releaseId, endpoint, state, runningDigest, null, null);
  }

  /** A copy in another state; the reason is kept only if the state stays the same. */
  public Instance withState(InstanceState newState) {
    return new Instance(
        id,
        releaseId,
        endpoint,
        newState,
        runningDigest,
        runningConfig,
        newState == state ? reason : null);
  }

  /** A copy in {@code newState} for {@code why} (e.g. {@code FAILED} and the exit status). */
  public Instance withState(InstanceState newState, @Nullable String why) {
    return new Instance(id, releaseId, endpoint, newState, runningDigest, runningConfig, why);
  }

  /** A copy that reports {@code digest} as its running artifact digest. */
  public Instance withRunningDigest(@Nullable Digest digest) {
    return new Instance(id, releaseId, endpoint, state, digest, runningConfig, reason);
  }

  /** A copy that reports {@code digest} as its running config digest. */
  public Instance withRunningConfig(@Nullable Digest digest) {
    return new Instance(id, releaseId, endpoint, state, runningDigest, digest, reason);
  }
}
