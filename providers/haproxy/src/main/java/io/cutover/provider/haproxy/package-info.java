/**
 * The HAProxy {@link io.cutover.spi.Router}: traffic splits applied through HAProxy's runtime API over
 * its unix socket, one dynamic server per instance with weights mapped exactly onto 0..256, one batch
 * per change, verified by reading the server state back; plus {@link io.cutover.provider.haproxy.HaproxyProcess}
 * to run a private HAProxy for demos and tests.
 */
@NullMarked
package io.cutover.provider.haproxy;

import org.jspecify.annotations.NullMarked;
