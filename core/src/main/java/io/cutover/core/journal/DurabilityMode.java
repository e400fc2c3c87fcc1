// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal;

/**
 * When {@link FileJournal} acknowledges an append, and so what an acknowledged record survives.
 *
 * <p>Both modes write every record to the file with a system call before acknowledging it (nothing
 * is buffered inside the JVM), so both survive the death of the process, including {@code kill -9}.
 * They differ in what happens when the machine itself stops.
 */
public enum DurabilityMode {
  /**
   * The default: a record is acknowledged only after {@link java.nio.channels.FileChannel#force}
   * returned for it, so it survives a kernel panic or power loss. Concurrent appends share one
   * {@code fsync} (group commit), so throughput grows with the number of concurrent appenders while
   * each append still waits for one disk flush.
   */
  FSYNC,
  /**
   * A record is acknowledged once the operating system holds it in its page cache, without a disk
   * flush. It survives the JVM dying but not the machine losing power or the kernel crashing: use
   * it for tests, simulations and throwaway environments, never for rollouts of production traffic.
   * Compaction and recovery skip their flushes too (their steps stay ordered, so a process crash is
   * still safe).
   */
  OS_BUFFERED
}
