/**
 * Implementations of the {@link io.cutover.spi.Journal} SPI, the write-ahead log of rollouts and the
 * store of per-service leases. {@link io.cutover.core.journal.InMemoryJournal} keeps everything in the
 * heap: for tests, simulations and benchmarks, never for production, since it is not durable.
 */
@NullMarked
package io.cutover.core.journal;

import org.jspecify.annotations.NullMarked;
