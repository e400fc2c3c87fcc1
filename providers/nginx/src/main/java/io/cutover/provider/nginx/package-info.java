// SPDX-License-Identifier: Apache-2.0
/**
 * The NGINX {@link io.cutover.spi.Router}: per-service upstream files written with exact weights
 * ({@code down} for 0), checked with {@code nginx -t}, swapped atomically with the last good file kept
 * for restore, reloaded, and confirmed by reading the split back from NGINX.
 */
@NullMarked
package io.cutover.provider.nginx;

import org.jspecify.annotations.NullMarked;
