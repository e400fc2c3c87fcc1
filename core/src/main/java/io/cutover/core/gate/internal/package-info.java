// SPDX-License-Identifier: Apache-2.0
/**
 * Implementation details of the gates: template labels, verdict helpers and provider lookup. No
 * compatibility promise.
 */
@NullMarked
package io.cutover.core.gate.internal;

import org.jspecify.annotations.NullMarked;
