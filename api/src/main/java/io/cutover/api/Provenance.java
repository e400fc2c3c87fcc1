// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import org.jspecify.annotations.Nullable;

/**
 * Where an artifact came from, as stated by its build (SLSA provenance or image labels). Every part
 * is optional: a policy decides which parts it requires.
 *
 * @param sourceRepository the source repository URI, e.g. {@code git+https://git.example/team/app}
 * @param sourceRef the source ref, e.g. {@code refs/heads/main}
 * @param sourceCommit the source commit id
 * @param builderId the builder that produced the artifact (SLSA {@code runDetails.builder.id})
 * @param buildType the build type (SLSA {@code buildDefinition.buildType})
 * @param buildId the builder's id for this build invocation
 */
public record Provenance(
    @Nullable String sourceRepository,
    @Nullable String sourceRef,
    @Nullable String sourceCommit,
    @Nullable String builderId,
    @Nullable String buildType,
    @Nullable String buildId) {

  /** Provenance that states nothing. */
  public static final Provenance NONE = new Provenance(null, null, null, null, null, null);
}
