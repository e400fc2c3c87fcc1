// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.drift;

import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.Release;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One instance that runs something other than its service's desired (stable) release.
 *
 * @param service the service
 * @param instance the instance as the fleet reported it
 * @param kind what differs (the artifact wins when both do)
 * @param expected the digest the desired release has ({@code sha256:...})
 * @param actual the digest the fleet reports running
 */
public record DriftFinding(
    String service, Instance instance, Kind kind, String expected, String actual) {

  /** What drifted. */
  public enum Kind {
    /** The running artifact digest differs from the release's artifact digest. */
    ARTIFACT,
    /** The running config digest differs from the release's config digest. */
    CONFIG
  }

  /** Validates the parts. */
  public DriftFinding {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(actual, "actual");
  }

  /**
   * The drift of {@code instance} from {@code desired}, or null if it runs what it should (or the
   * fleet cannot tell, or it belongs to another release, or it was stopped).
   */
  static @Nullable DriftFinding of(Release desired, Instance instance) {
    // FAILED instances count: a fleet may fail a unit because of its digest (Kubernetes does).
    if (!instance.releaseId().equals(desired.id())
        || instance.state() == InstanceState.TERMINATED) {
      return null;
    }
    if (instance.runningDigest() != null
        && !instance.runningDigest().equals(desired.artifact().digest())) {
      return new DriftFinding(
          desired.service(),
          instance,
          Kind.ARTIFACT,
          desired.artifact().digest().toString(),
          instance.runningDigest().toString());
    }
    if (instance.runningConfig() != null
        && !instance.runningConfig().equals(desired.config().digest())) {
      return new DriftFinding(
          desired.service(),
          instance,
          Kind.CONFIG,
          desired.config().digest().toString(),
          instance.runningConfig().toString());
    }
    return null;
  }

  /** A one-line description for events and logs. */
  public String describe() {
    return "instance "
        + instance.id()
        + " of "
        + instance.releaseId()
        + " runs "
        + (kind == Kind.ARTIFACT ? "artifact " : "config ")
        + actual
        + " but the release's is "
        + expected;
  }
}
