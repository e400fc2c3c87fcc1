// SPDX-License-Identifier: Apache-2.0
/**
 * Implementation details of the HAProxy router: the exact mapping of basis points onto HAProxy's
 * 0..256 server weights and back, and the forms of names that may go into a runtime-API command.
 * No compatibility promise.
 */
@NullMarked
package io.cutover.provider.haproxy.internal;

import org.jspecify.annotations.NullMarked;
