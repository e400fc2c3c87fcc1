// SPDX-License-Identifier: Apache-2.0
/**
 * The OCI registry {@link io.cutover.spi.ArtifactStore}: resolves tags to manifest digests over the
 * distribution API and verifies every manifest and blob against its digest, follows multi-arch indexes
 * to a {@link io.cutover.provider.oci.Platform}, authenticates anonymously, with basic credentials or
 * through the bearer-token flow (credentials from a {@link io.cutover.provider.oci.CredentialsProvider},
 * never logged), and fails over to ordered mirrors behind retries and a circuit breaker per endpoint.
 * TLS is verified; plain HTTP is used only for registries listed as insecure.
 */
@NullMarked
package io.cutover.provider.oci;

import org.jspecify.annotations.NullMarked;
