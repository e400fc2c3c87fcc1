// SPDX-License-Identifier: Apache-2.0
/**
 * Kubernetes providers: an immutable {@code Fleet} that runs one workload per release (image by digest,
 * configuration in an immutable ConfigMap named by its digest), and routers that carry a traffic split
 * on a Service selector, a Gateway API {@code HTTPRoute} or an Istio {@code VirtualService}. Cutover
 * never schedules containers itself: it tells the API server what to run and reads back what runs.
 */
@NullMarked
package io.cutover.provider.kubernetes;

import org.jspecify.annotations.NullMarked;
