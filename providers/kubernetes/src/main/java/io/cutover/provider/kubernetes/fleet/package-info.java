// SPDX-License-Identifier: Apache-2.0
/**
 * The Kubernetes {@code Fleet}: one ReplicaSet per release, never updated in place, pods filled in
 * from a user's pod template with the release's image by digest, its labels and annotations, and its
 * configuration from an immutable ConfigMap named by the configuration digest. Readiness and changes
 * are seen through informers (list + watch), never by polling in a loop.
 */
@NullMarked
package io.cutover.provider.kubernetes.fleet;

import org.jspecify.annotations.NullMarked;
