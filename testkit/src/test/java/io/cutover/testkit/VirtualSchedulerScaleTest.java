package io.cutover.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * 10 000 concurrent rollouts on one virtual scheduler: every step arms a 30 s timeout, cancels the
 * previous one and schedules the next step 1-20 s later, as the engine does. The same workload on a bare
 * {@link PriorityQueue} (no locks, no futures) is the baseline. Steps per rollout default to 10 to keep
 * the suite fast; {@code -Dcutover.scale.steps=100} measures the full size.
 */
class VirtualSchedulerScaleTest {
  private static final int ROLLOUTS = 10_000;
  private static final int STEPS = Integer.getInteger("cutover.scale.steps", 10);
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  @Test
  void tenThousandConcurrentRolloutsRunFastAndExactly() {
    VirtualScheduler scheduler = VirtualScheduler.create();
    long[] finished = {0};
    long[] timeoutsFired = {0};
    for (int r = 0; r < ROLLOUTS; r++) {
      SplittableRandom random = new SplittableRandom(r);
      int[] step = {0};
      ScheduledFuture<?>[] timeout = new ScheduledFuture<?>[1];
      Runnable[] self = new Runnable[1];
      self[0] = () -> {
        if (timeout[0] != null) {
          timeout[0].cancel(false);
        }
        if (++step[0] == STEPS) {
          finished[0]++;
          return;
        }
        timeout[0] = scheduler.schedule(() -> timeoutsFired[0]++, 30, TimeUnit.SECONDS);
        scheduler.schedule(self[0], 1 + random.nextInt(20), TimeUnit.SECONDS);
      };
      scheduler.schedule(self[0], r % 60, TimeUnit.SECONDS);
    }
    // CPU time of this thread: wall time on a shared machine says more about the neighbours.
    long start = CPU.getCurrentThreadCpuTime();
    int runs = scheduler.advance(Duration.ofHours(2));
    long nanos = CPU.getCurrentThreadCpuTime() - start;
    long baseline = baselineNanos();

    assertThat(finished[0]).isEqualTo(ROLLOUTS);
    assertThat(runs).isEqualTo(ROLLOUTS * STEPS);
    assertThat(timeoutsFired[0]).isZero(); // every timeout was cancelled before it was due
    assertThat(scheduler.pendingTaskCount()).isZero();
    assertThat(scheduler.nextDueTime()).isEmpty();
    scheduler.assertNoTaskFailures();
    System.out.printf("BENCH virtual_scheduler_step %.0f ns/step (%d rollouts x %d steps)%n",
        (double) nanos / runs, ROLLOUTS, STEPS);
    System.out.printf("BENCH bare_priority_queue_step %.0f ns/step (baseline, same workload)%n",
        (double) baseline / runs);
    assertThat(nanos / 1_000_000).as("CPU milliseconds for %d steps", runs).isLessThan(2_500L * STEPS / 10);
  }

  /** The same workload on a bare priority queue with lazy cancellation: the floor of what is possible. */
  private static long baselineNanos() {
    final class Node {
      long due;
      long seq;
      boolean cancelled;
      Runnable action;
    }
    PriorityQueue<Node> queue = new PriorityQueue<>((a, b) ->
        a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    long[] now = {0};
    long[] seq = {0};
    for (int r = 0; r < ROLLOUTS; r++) {
      SplittableRandom random = new SplittableRandom(r);
      int[] step = {0};
      Node[] timeout = new Node[1];
      Runnable[] self = new Runnable[1];
      self[0] = () -> {
        if (timeout[0] != null) {
          timeout[0].cancelled = true;
        }
        if (++step[0] == STEPS) {
          return;
        }
        Node t = new Node();
        t.due = now[0] + 30_000_000_000L;
        t.seq = seq[0]++;
        t.action = () -> { };
        queue.add(t);
        timeout[0] = t;
        Node next = new Node();
        next.due = now[0] + (1 + random.nextInt(20)) * 1_000_000_000L;
        next.seq = seq[0]++;
        next.action = self[0];
        queue.add(next);
      };
      Node first = new Node();
      first.due = (r % 60) * 1_000_000_000L;
      first.seq = seq[0]++;
      first.action = self[0];
      queue.add(first);
    }
    long start = CPU.getCurrentThreadCpuTime();
    for (Node n; (n = queue.poll()) != null; ) {
      if (!n.cancelled) {
        now[0] = n.due;
        n.action.run();
      }
    }
    return CPU.getCurrentThreadCpuTime() - start;
  }
}
