// SPDX-License-Identifier: Apache-2.0
/**
 * How a spec is read: source locations of every YAML node, the reader that walks the tree into
 * the core builders while collecting problems, durations and typo suggestions. Not an API.
 */
@NullMarked
package io.cutover.spec.internal;

import org.jspecify.annotations.NullMarked;
