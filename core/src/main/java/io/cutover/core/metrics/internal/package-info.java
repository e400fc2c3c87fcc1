// SPDX-License-Identifier: Apache-2.0
/** Storage and expression parsing behind the in-process metric source. No compatibility promise. */
@NullMarked
package io.cutover.core.metrics.internal;

import org.jspecify.annotations.NullMarked;
