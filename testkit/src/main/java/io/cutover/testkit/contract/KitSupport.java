// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.contract;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.Release;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** What the kits share: unique names, made-up releases, and a start-together concurrency helper. */
final class KitSupport {

  /** A task run by one of several threads; {@code index} tells them apart. */
  @FunctionalInterface
  interface Task<T> {
    T run(int index) throws Exception;
  }

  private KitSupport() {}

  /**
   * Eight lowercase hex characters, unique per kit instance: keeps names apart in shared backends.
   */
  static String runId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * A release of {@code service} whose artifact is the digest of {@code label} (no content behind
   * it).
   */
  static Release release(String service, String label) {
    return Release.of(service, new ArtifactRef("contract/" + service, Digest.sha256(label)))
        .withLabel(label);
  }

  /**
   * Runs {@code task} on {@code threads} threads released at the same moment and returns their
   * results in thread order; the first failure is rethrown.
   */
  static <T> List<T> concurrently(int threads, Task<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int index = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  return task.run(index);
                }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
