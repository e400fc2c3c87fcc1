// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The FIFO beside the heap must never change the order one heap would give. */
class TaskQueueTest {
  record T(long due, long seq) {}

  static final Comparator<T> ORDER = Comparator.comparingLong(T::due).thenComparingLong(T::seq);

  @Test
  void pollsInTheOrderOfOneHeapWhateverMixOfTimersAndTasksDueNow() {
    for (long seed = 0; seed < 200; seed++) {
      Random r = new Random(seed);
      TaskQueue<T> queue = new TaskQueue<>(ORDER);
      PriorityQueue<T> heap = new PriorityQueue<>(ORDER);
      List<T> got = new ArrayList<>();
      List<T> expected = new ArrayList<>();
      long now = 0;
      long seq = 0;
      for (int step = 0; step < 300; step++) {
        int action = r.nextInt(10);
        if (action < 6) {
          boolean immediate = r.nextBoolean();
          T t = new T(immediate ? now : now + r.nextInt(5), seq++);
          queue.add(t, t.due() == now);
          heap.add(t);
        } else if (action < 9 && heap.peek() != null) {
          assertThat(queue.peek()).isEqualTo(heap.peek());
          T a = queue.poll();
          T b = heap.poll();
          got.add(a);
          expected.add(b);
          now = Math.max(now, b.due()); // the clock moves to the task it runs
        } else if (!heap.isEmpty()) {
          T victim = heap.toArray(new T[0])[r.nextInt(heap.size())];
          heap.remove(victim);
          queue.remove(victim);
        }
        assertThat(queue.size()).isEqualTo(heap.size());
      }
      while (!heap.isEmpty()) {
        got.add(queue.poll());
        expected.add(heap.poll());
      }
      assertThat(queue.poll()).isNull();
      assertThat(got).as("seed %d", seed).isEqualTo(expected);
    }
  }

  @Test
  void aTaskDueNowThatSortsBeforeTheFifosLastGoesToTheHeap() {
    TaskQueue<T> queue = new TaskQueue<>(ORDER);
    queue.add(new T(5, 2), true);
    queue.add(new T(5, 1), true); // out of order for the FIFO: must still come out first
    assertThat(queue.poll()).isEqualTo(new T(5, 1));
    assertThat(queue.poll()).isEqualTo(new T(5, 2));
  }
}
