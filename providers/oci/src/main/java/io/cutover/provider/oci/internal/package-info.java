// SPDX-License-Identifier: Apache-2.0
/**
 * Implementation details of the OCI store: HTTP calls of the distribution API, the authenticator for
 * basic and bearer challenges, failover across mirrors with Resilience4j, and manifest parsing. No
 * compatibility promise: use {@link io.cutover.provider.oci.OciArtifactStore}.
 */
@NullMarked
package io.cutover.provider.oci.internal;

import org.jspecify.annotations.NullMarked;
