// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.nginx;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Reads a child process's output on a daemon thread while the caller waits for the process, so the
 * child never blocks on a full pipe. Keeps the first {@code limit} bytes and discards the rest
 * (still reading, so the child can finish). Thread-safe: one reader thread, results published by
 * {@link Thread#join}.
 */
final class OutputDrain {
  private final Thread reader;
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private volatile boolean truncated;

  private OutputDrain(InputStream in, int limit) {
    this.reader =
        new Thread(
            () -> {
              byte[] buf = new byte[8192];
              try (in) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                  int keep = Math.min(n, limit - kept.size());
                  if (keep > 0) {
                    kept.write(buf, 0, keep);
                  }
                  if (keep < n) {
                    truncated = true;
                  }
                }
              } catch (IOException e) {
                // The process was destroyed or closed its output: what was read is all there is.
              }
            },
            "cutover-nginx-output");
    reader.setDaemon(true);
  }

  /** Starts draining {@code in}, keeping at most {@code limit} bytes. */
  static OutputDrain start(InputStream in, int limit) {
    OutputDrain d = new OutputDrain(in, limit);
    d.reader.start();
    return d;
  }

  /**
   * The output kept, once the stream ended or {@code wait} passed (a grandchild holding the pipe
   * open must not hold the router); a cut output ends with a note.
   */
  String await(Duration wait) throws InterruptedException {
    reader.join(Math.max(1, wait.toMillis()));
    // ByteArrayOutputStream is synchronized: a reader still running gives a consistent snapshot.
    String text = kept.toString(StandardCharsets.UTF_8);
    return truncated || reader.isAlive() ? text + " [output cut]" : text;
  }
}
