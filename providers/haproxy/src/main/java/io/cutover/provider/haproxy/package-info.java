// SPDX-License-Identifier: Apache-2.0
/**
 * The HAProxy {@link io.cutover.spi.Router}: traffic splits applied through HAProxy's runtime API over
 * its unix socket, one dynamic server per instance with weights mapped exactly onto 0..256, one batch
 * per change, verified by reading the server state back. (A private HAProxy for the demo and the tests
 * is {@code HaproxyProcess} in {@code cutover-samples}.)
 */
@NullMarked
package io.cutover.provider.haproxy;

import org.jspecify.annotations.NullMarked;
