// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.provider;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The scheduler a {@link io.cutover.spi.ProviderContext} hands out when the host configured none:
 * one daemon thread for the whole JVM, created on first use, so a registry that never needs a
 * scheduler starts no thread and one that does cannot keep the JVM alive.
 */
public final class SharedScheduler {
  private SharedScheduler() {}

  private static final class Holder {
    static final ScheduledExecutorService INSTANCE = create();

    private static ScheduledExecutorService create() {
      ScheduledThreadPoolExecutor s =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread t = new Thread(r, "cutover-provider-scheduler");
                t.setDaemon(true);
                return t;
              });
      s.setRemoveOnCancelPolicy(true);
      return s;
    }
  }

  /** The shared scheduler. */
  public static ScheduledExecutorService get() {
    return Holder.INSTANCE;
  }
}
