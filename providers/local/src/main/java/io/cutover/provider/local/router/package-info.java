// SPDX-License-Identifier: Apache-2.0
/**
 * The in-process {@link io.cutover.spi.Router}: an OkHttp interceptor that sends each call of a JVM
 * client to a release by the service's current traffic split (weighted, sticky by header or cookie,
 * match rules, optional mirror), with splits swapped atomically. The embedded default: no proxy needed.
 */
@NullMarked
package io.cutover.provider.local.router;

import org.jspecify.annotations.NullMarked;
