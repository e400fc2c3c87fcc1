// SPDX-License-Identifier: Apache-2.0
/**
 * The journal payload schema: one sealed {@link io.cutover.core.internal.schema.JournalPayload} type per
 * kind of record the engine writes, and the one {@link io.cutover.core.internal.schema.JournalCodec} that
 * turns them into the JSON a {@link io.cutover.spi.Journal} stores verbatim and back. The schema is
 * versioned and documented in {@code docs/journal.md}; readers ignore fields they do not know and default
 * the ones an older engine did not write, so journals of earlier versions keep reading. No compatibility
 * promise for the Java types: they are engine internals.
 */
@NullMarked
package io.cutover.core.internal.schema;

import org.jspecify.annotations.NullMarked;
