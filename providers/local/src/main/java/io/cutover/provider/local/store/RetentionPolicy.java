// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.store;

import io.cutover.api.InvalidSpecException;
import java.time.Duration;

/**
 * What {@link FilesystemArtifactStore#collectGarbage(RetentionPolicy)} keeps, beyond everything
 * pinned and everything a tag points at: the last {@code keepReleases} releases of every service,
 * and every artifact added within the last {@code gracePeriod} (so that content put but not yet
 * tagged or released is not collected under the caller's feet). Artifacts referenced by a kept
 * artifact (layers of a manifest, signatures and attestations of a kept digest) are kept with it.
 *
 * @param keepReleases how many of the most recent distinct releases per service to keep, at least 1
 * @param gracePeriod how long a freshly added artifact is kept unconditionally, not negative
 */
public record RetentionPolicy(int keepReleases, Duration gracePeriod) {
  /** The grace period of {@link #keepLast(int)}. */
  public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofHours(1);

  /** Validates. */
  public RetentionPolicy {
    if (keepReleases < 1) {
      throw new InvalidSpecException(
          "retention.keepReleases",
          "is " + keepReleases,
          "keep at least 1 release per service (the one running)");
    }
    if (gracePeriod == null || gracePeriod.isNegative()) {
      throw new InvalidSpecException(
          "retention.gracePeriod",
          "is " + gracePeriod,
          "use a duration of zero or more, e.g. PT1H");
    }
  }

  /** Keeps the last {@code n} releases per service, with the default grace period. */
  public static RetentionPolicy keepLast(int n) {
    return new RetentionPolicy(n, DEFAULT_GRACE_PERIOD);
  }

  /** A copy with another grace period. */
  public RetentionPolicy withGracePeriod(Duration gracePeriod) {
    return new RetentionPolicy(keepReleases, gracePeriod);
  }
}
