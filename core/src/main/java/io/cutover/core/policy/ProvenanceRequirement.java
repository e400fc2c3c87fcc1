// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy;

import io.cutover.api.InvalidSpecException;
import java.util.List;

/**
 * What SLSA provenance an artifact must carry: a DSSE-signed in-toto Statement v1 with predicate
 * {@code https://slsa.dev/provenance/v1} at {@code sha256-<hex>.att}, signed by one of {@code
 * keys}, whose subject is the artifact digest, whose {@code runDetails.builder.id} matches one of
 * {@code builderIds}, and, where these lists are not empty, whose {@code buildDefinition.buildType}
 * matches one of {@code buildTypes} and whose source (from {@code externalParameters} or {@code
 * resolvedDependencies}) matches one of {@code sourceRepositories} and {@code sourceRefs}. Patterns
 * are globs: {@code *} within a path segment, {@code **} across segments.
 *
 * @param keys keys trusted to sign attestations
 * @param builderIds trusted builder ids (required, at least one)
 * @param buildTypes accepted build types; empty accepts any
 * @param sourceRepositories accepted source repository URIs; empty accepts any
 * @param sourceRefs accepted source refs such as {@code refs/heads/main}; empty accepts any
 */
public record ProvenanceRequirement(
    List<TrustedKey> keys,
    List<String> builderIds,
    List<String> buildTypes,
    List<String> sourceRepositories,
    List<String> sourceRefs) {
  /** Validates and copies. */
  public ProvenanceRequirement {
    keys = List.copyOf(keys);
    builderIds = List.copyOf(builderIds);
    buildTypes = List.copyOf(buildTypes);
    sourceRepositories = List.copyOf(sourceRepositories);
    sourceRefs = List.copyOf(sourceRefs);
    SignatureRequirement.requireKeys(keys, "provenance.keys");
    if (builderIds.isEmpty()) {
      throw new InvalidSpecException(
          "provenance.builderIds",
          "is empty",
          "list the builder ids you trust, e.g. https://github.com/slsa-framework/slsa-github-generator/**");
    }
  }

  /** Provenance from a trusted builder, signed by one of the keys, any build type and source. */
  public static ProvenanceRequirement of(List<TrustedKey> keys, List<String> builderIds) {
    return new ProvenanceRequirement(keys, builderIds, List.of(), List.of(), List.of());
  }

  /** A copy accepting only these build types. */
  public ProvenanceRequirement withBuildTypes(String... types) {
    return new ProvenanceRequirement(
        keys, builderIds, List.of(types), sourceRepositories, sourceRefs);
  }

  /** A copy accepting only these source repositories (globs). */
  public ProvenanceRequirement withSourceRepositories(String... repositories) {
    return new ProvenanceRequirement(
        keys, builderIds, buildTypes, List.of(repositories), sourceRefs);
  }

  /** A copy accepting only these source refs (globs). */
  public ProvenanceRequirement withSourceRefs(String... refs) {
    return new ProvenanceRequirement(
        keys, builderIds, buildTypes, sourceRepositories, List.of(refs));
  }
}
