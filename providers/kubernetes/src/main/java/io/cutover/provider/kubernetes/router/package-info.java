// SPDX-License-Identifier: Apache-2.0
/**
 * The Kubernetes routers: {@code kubernetes-service} (blue/green by switching a Service's selector,
 * 0 % / 100 % only, with a preview Service), {@code gateway-api} (an {@code HTTPRoute} whose backend
 * weights carry the split, one Service per release) and {@code istio} (a {@code VirtualService} with
 * weighted subsets of a {@code DestinationRule}). Each writes its objects with server-side apply under
 * Cutover's field manager and reads the split back from them, zero weights, match rules and mirror
 * included, so the engine compares what the cluster holds, not what it asked for.
 */
@NullMarked
package io.cutover.provider.kubernetes.router;

import org.jspecify.annotations.NullMarked;
