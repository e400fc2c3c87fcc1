// SPDX-License-Identifier: Apache-2.0
/**
 * Deploy-time artifact verification: {@link io.cutover.core.policy.VerificationPolicy}, the
 * {@link io.cutover.spi.ArtifactVerifier} the engine runs before a rollout's first side effect. It checks
 * allowed repositories, cosign-format keyed signatures (any-of-N or k-of-N), DSSE-signed in-toto SLSA
 * provenance v1 (trusted builder, build type, source repository and ref), maximum age and forbidden
 * labels, reading everything through the {@link io.cutover.spi.ArtifactStore} SPI, and returns one
 * evidence line per check for the journal. Policies are built in code or read from YAML/JSON.
 */
@NullMarked
package io.cutover.core.policy;

import org.jspecify.annotations.NullMarked;
