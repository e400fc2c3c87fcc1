// SPDX-License-Identifier: Apache-2.0
package io.cutover.testfixtures;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The schedule of a load test's rollouts: two kinds (0 and 1, say a blue/green switch and a canary)
 * alternate inside a fixed window of load, and the load ends when the window does, instead of
 * waiting for a last long rollout to finish. Each kind runs at least once; after that a rollout is
 * started only if the last one of its kind would still end inside the window, and the other kind is
 * run instead when only that one fits. Not thread-safe: one test thread drives it.
 *
 * <pre>{@code
 * LoadWindow window = LoadWindow.start(Duration.ofSeconds(60));
 * for (int kind; (kind = window.next()) >= 0; ) {
 *   long started = System.nanoTime();
 *   run(kind == 1 ? canary : blueGreen);
 *   window.ran(kind, System.nanoTime() - started);
 * }
 * window.holdToEnd(); // the load runs on to the end of the window
 * }</pre>
 */
public final class LoadWindow {
  private final long start = System.nanoTime();
  private final long window;
  private final long[] took = new long[2];
  private int runs;

  private LoadWindow(Duration window) {
    this.window = window.toNanos();
  }

  /** A window of {@code window} that starts now. */
  public static LoadWindow start(Duration window) {
    return new LoadWindow(window);
  }

  /** The kind to run next, or -1 when no kind's last run fits in what is left of the window. */
  public int next() {
    int kind = runs % 2;
    if (runs < 2) {
      return kind;
    }
    long elapsed = elapsedNanos();
    if (elapsed + took[kind] <= window) {
      return kind;
    }
    return elapsed + took[1 - kind] <= window ? 1 - kind : -1;
  }

  /** Records that a rollout of {@code kind} ran for {@code nanos}. */
  public void ran(int kind, long nanos) {
    took[kind] = nanos;
    runs++;
  }

  /** Sleeps until the window has passed. */
  public void holdToEnd() throws InterruptedException {
    long left = window - elapsedNanos();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }

  /** Time since the window started, in seconds. */
  public double elapsedSeconds() {
    return elapsedNanos() / 1e9;
  }

  private long elapsedNanos() {
    return System.nanoTime() - start;
  }
}
