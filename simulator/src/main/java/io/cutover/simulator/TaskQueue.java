// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The scheduler's pending tasks in {@code order}: a priority queue for timers plus a FIFO for tasks
 * submitted to run now. Most tasks of an engine run are "now" (a mailbox drain, a journal
 * continuation), and with ten thousand timers pending each one cost a sift up to the heap's root
 * and back down; appended to the FIFO they cost O(1). The FIFO only ever takes a task that sorts
 * after its last one, so it stays sorted and the smaller of the two heads is the next task, exactly
 * as in one heap. Not thread-safe: the scheduler guards it with its lock.
 */
final class TaskQueue<T> {
  private final Comparator<T> order;
  private final PriorityQueue<T> timers;
  private final ArrayDeque<T> now = new ArrayDeque<>();

  TaskQueue(Comparator<T> order) {
    this.order = order;
    this.timers = new PriorityQueue<>(order);
  }

  /**
   * Adds {@code task}; {@code immediate} says it is due at the current instant (a hint: it goes to
   * the FIFO only if that keeps the FIFO sorted).
   */
  void add(T task, boolean immediate) {
    T last = now.peekLast();
    if (immediate && (last == null || order.compare(last, task) <= 0)) {
      now.addLast(task);
    } else {
      timers.add(task);
    }
  }

  @Nullable T peek() {
    T a = now.peekFirst();
    T b = timers.peek();
    if (a == null) {
      return b;
    }
    return b == null || order.compare(a, b) <= 0 ? a : b;
  }

  @Nullable T poll() {
    T a = now.peekFirst();
    T b = timers.peek();
    if (a != null && (b == null || order.compare(a, b) <= 0)) {
      return now.pollFirst();
    }
    return timers.poll();
  }

  void remove(T task) {
    if (!now.remove(task)) {
      timers.remove(task);
    }
  }

  void removeIf(Predicate<T> filter) {
    now.removeIf(filter);
    timers.removeIf(filter);
  }

  void forEach(Consumer<T> action) {
    now.forEach(action);
    timers.forEach(action);
  }

  int size() {
    return now.size() + timers.size();
  }

  void clear() {
    now.clear();
    timers.clear();
  }
}
