// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes;

import io.cutover.api.Release;

/**
 * The names and labels Cutover gives the objects it creates, in one place so the fleet and the
 * routers agree. A release id is {@code <service>-<12 hex>} and a service name may be 63 characters
 * long, but a Kubernetes Service name and a label value must be a DNS-1035/1123 label of at most 63
 * characters: longer ids keep their hash and lose the end of the service part, so names stay unique
 * per release and stable across restarts. Names that would start with a digit get a {@code r-}
 * prefix, since a Service name must start with a letter.
 */
public final class KubernetesNames {
  /** Label on every object Cutover creates for a service: the service name. */
  public static final String SERVICE_LABEL = "cutover.io/service";

  /** Label on every object Cutover creates for a release: {@link #releaseName(Release)}. */
  public static final String RELEASE_LABEL = "cutover.io/release";

  /** Label marking objects Cutover manages (value {@code cutover}). */
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

  static final int MAX_LABEL = 63;
  private static final int HASH_PART = 13; // "-" + 12 hex

  private KubernetesNames() {}

  /**
   * The name of the release's workload, Service and label value, e.g. {@code
   * checkout-3f9a1c2b0d4e}: a DNS-1035 label of at most 63 characters, the same for the same
   * release id.
   */
  public static String releaseName(Release release) {
    return releaseName(release.id());
  }

  /**
   * {@link #releaseName(Release)} for a release id read back from the cluster or the journal.
   *
   * @throws IllegalArgumentException if {@code releaseId} is not {@code <service>-<12 hex>}
   */
  public static String releaseName(String releaseId) {
    int dash = releaseId.length() - HASH_PART;
    if (dash < 1 || releaseId.charAt(dash) != '-' || !releaseId.matches(".*-[0-9a-f]{12}")) {
      throw new IllegalArgumentException(
          "release id '"
              + releaseId
              + "' is not <service>-<12 hex digits>: pass Release.id() of a Cutover release");
    }
    String service = releaseId.substring(0, dash);
    String hash = releaseId.substring(dash);
    String prefix = Character.isDigit(service.charAt(0)) ? "r-" : "";
    int room = MAX_LABEL - HASH_PART - prefix.length();
    if (service.length() > room) {
      service = trimTrailingDashes(service.substring(0, room));
    }
    return prefix + service + hash;
  }

  private static String trimTrailingDashes(String s) {
    int end = s.length();
    while (end > 1 && s.charAt(end - 1) == '-') {
      end--;
    }
    return s.substring(0, end);
  }
}
