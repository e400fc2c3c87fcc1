// SPDX-License-Identifier: Apache-2.0
/**
 * Cutover's domain values and typed exceptions: digests, artifact references, releases, traffic splits,
 * instances and verdicts. Every value is immutable and validated when it is built; an invalid value
 * never exists, and the exception that refuses it names the field and the fix.
 */
@NullMarked
package io.cutover.api;

import org.jspecify.annotations.NullMarked;
