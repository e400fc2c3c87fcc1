// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What runs for a service: an artifact plus its configuration. Its {@link #id()} is derived from
 * the service, the artifact digest and the configuration digest, so the same inputs always give the
 * same id and any change (code or configuration) gives a new release. Immutable and thread-safe.
 */
public final class Release {
  private final String service;
  private final ArtifactRef artifact;
  private final ConfigRef config;
  private final String label;
  private final String id;

  private Release(String service, ArtifactRef artifact, ConfigRef config, @Nullable String label) {
    this.service = Check.service(service, "release.service");
    this.artifact = Check.notNull(artifact, "release.artifact");
    this.config = Check.notNull(config, "release.config");
    Digest identity = Digest.sha256(service + "\n" + artifact + "\n" + config.digest());
    this.id = service + "-" + identity.shortHex();
    this.label = label == null || label.isBlank() ? artifact.digest().shortHex() : label;
  }

  /** A release with the given configuration. */
  public static Release of(String service, ArtifactRef artifact, ConfigRef config) {
    return new Release(service, artifact, config, null);
  }

  /** A release without configuration ({@link ConfigRef#EMPTY}). */
  public static Release of(String service, ArtifactRef artifact) {
    return new Release(service, artifact, ConfigRef.EMPTY, null);
  }

  /**
   * The same release with a human label such as {@code v2} for screens and reports. The label is
   * not part of the identity: two releases that differ only by label have the same {@link #id()}.
   */
  public Release withLabel(String label) {
    return new Release(service, artifact, config, label);
  }

  /** The service this release belongs to. */
  public String service() {
    return service;
  }

  /** The deployed artifact. */
  public ArtifactRef artifact() {
    return artifact;
  }

  /** The configuration snapshot. */
  public ConfigRef config() {
    return config;
  }

  /** The derived id, {@code <service>-<12 hex>}. */
  public String id() {
    return id;
  }

  /** A human label: the one given, or the artifact's short digest. */
  public String label() {
    return label;
  }

  /** Equal when service, artifact and configuration are equal; the label does not count. */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Release r
        && id.equals(r.id)
        && artifact.equals(r.artifact)
        && config.equals(r.config);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id);
  }

  @Override
  public String toString() {
    return id + " (" + label + ", " + artifact + ")";
  }
}
