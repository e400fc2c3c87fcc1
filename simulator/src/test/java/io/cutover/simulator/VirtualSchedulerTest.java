// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class VirtualSchedulerTest {
  private final VirtualScheduler scheduler = VirtualScheduler.create();
  private final VirtualClock clock = scheduler.clock();
  private final Instant t0 = clock.instant();
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());

  private Runnable record(String name) {
    return () -> log.add(name + "@" + Duration.between(t0, clock.instant()).toSeconds());
  }

  @Nested
  @DisplayName("ordering")
  class Ordering {
    @Test
    @DisplayName("tasks run by due time, then by submission order, each at its own due time")
    void byDueTimeThenSequence() {
      scheduler.schedule(record("c"), 3, TimeUnit.SECONDS);
      scheduler.schedule(record("a1"), 1, TimeUnit.SECONDS);
      scheduler.schedule(record("b"), 2, TimeUnit.SECONDS);
      scheduler.schedule(record("a2"), 1000, TimeUnit.MILLISECONDS);
      scheduler.execute(record("now"));

      assertThat(log).isEmpty(); // nothing runs until driven
      int runs = scheduler.advance(Duration.ofSeconds(10));

      assertThat(runs).isEqualTo(5);
      assertThat(log).containsExactly("now@0", "a1@1", "a2@1", "b@2", "c@3");
      assertThat(clock.instant()).isEqualTo(t0.plusSeconds(10));
    }

    @Test
    @DisplayName(
        "runUntilIdle runs only what is due now, including work those tasks submit for now")
    void runUntilIdleRunsDueWorkOnly() {
      scheduler.execute(
          () -> {
            log.add("first");
            scheduler.execute(() -> log.add("submitted-by-first"));
            scheduler.schedule(() -> log.add("later"), 1, TimeUnit.SECONDS);
          });

      assertThat(scheduler.runUntilIdle()).isEqualTo(2);
      assertThat(log).containsExactly("first", "submitted-by-first");
      assertThat(clock.instant()).isEqualTo(t0);
      assertThat(scheduler.pendingTaskCount()).isEqualTo(1);
      assertThat(scheduler.nextDueTime()).contains(t0.plusSeconds(1));
    }

    @Test
    @DisplayName(
        "a task scheduled during a run for a time inside the window runs in the same advance")
    void tasksScheduledDuringARunJoinTheWindow() {
      scheduler.schedule(
          () -> {
            record("outer").run();
            scheduler.schedule(record("inner"), 2, TimeUnit.SECONDS);
            scheduler.schedule(record("beyond"), 20, TimeUnit.SECONDS);
          },
          5,
          TimeUnit.SECONDS);
      scheduler.schedule(record("other"), 6, TimeUnit.SECONDS);

      scheduler.advance(Duration.ofSeconds(10));

      assertThat(log).containsExactly("outer@5", "other@6", "inner@7");
      assertThat(scheduler.nextDueTime()).contains(t0.plusSeconds(25));
    }

    @Test
    @DisplayName(
        "tasks that became due because the clock was moved directly run at the next runUntilIdle")
    void directClockMovesRunNothingUntilDriven() {
      scheduler.schedule(record("due"), 1, TimeUnit.MINUTES);
      clock.advance(Duration.ofMinutes(5));
      assertThat(log).isEmpty();

      scheduler.runUntilIdle();
      assertThat(log).containsExactly("due@300"); // clock never goes back to the due time
    }

    @Test
    @DisplayName("advanceTo moves to an instant and refuses the past")
    void advanceTo() {
      scheduler.schedule(record("x"), 90, TimeUnit.SECONDS);
      scheduler.advanceTo(t0.plusSeconds(120));
      assertThat(log).containsExactly("x@90");
      assertThat(clock.instant()).isEqualTo(t0.plusSeconds(120));
      assertThatThrownBy(() -> scheduler.advanceTo(t0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("already at");
      assertThatThrownBy(() -> scheduler.advance(Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  @DisplayName("periodic tasks")
  class Periodic {
    @Test
    @DisplayName("fixed rate repeats from the initial delay, one period apart")
    void fixedRate() {
      scheduler.scheduleAtFixedRate(record("tick"), 2, 5, TimeUnit.SECONDS);
      scheduler.advance(Duration.ofSeconds(20));
      assertThat(log).containsExactly("tick@2", "tick@7", "tick@12", "tick@17");
      assertThat(scheduler.pendingTaskCount()).isEqualTo(1);
    }

    @Test
    @DisplayName(
        "fixed delay measures the delay from the end of each run, even if the clock moved meanwhile")
    void fixedDelay() {
      AtomicInteger n = new AtomicInteger();
      scheduler.scheduleWithFixedDelay(
          () -> {
            record("run").run();
            if (n.incrementAndGet() == 2) {
              clock.advance(Duration.ofSeconds(3)); // a run that "took" 3 seconds
            }
          },
          0,
          10,
          TimeUnit.SECONDS);
      scheduler.advance(Duration.ofSeconds(40));
      assertThat(log).containsExactly("run@0", "run@10", "run@23", "run@33");
    }

    @Test
    @DisplayName("a fixed-rate task that falls behind catches up, as the JDK does")
    void fixedRateCatchesUp() {
      scheduler.scheduleAtFixedRate(record("tick"), 0, 10, TimeUnit.SECONDS);
      clock.advance(Duration.ofSeconds(25));
      scheduler.runUntilIdle();
      assertThat(log).containsExactly("tick@25", "tick@25", "tick@25");
      assertThat(scheduler.nextDueTime()).contains(t0.plusSeconds(30));
    }

    @Test
    @DisplayName("an exception stops the repetition and completes the future exceptionally")
    void failureStopsRepetition() {
      AtomicInteger runs = new AtomicInteger();
      ScheduledFuture<?> f =
          scheduler.scheduleAtFixedRate(
              () -> {
                if (runs.incrementAndGet() == 3) {
                  throw new IllegalStateException("boom on run 3");
                }
              },
              1,
              1,
              TimeUnit.SECONDS);

      scheduler.advance(Duration.ofSeconds(10));

      assertThat(runs).hasValue(3);
      assertThat(f.isDone()).isTrue();
      assertThat(f.isCancelled()).isFalse();
      assertThatThrownBy(f::get)
          .isInstanceOf(ExecutionException.class)
          .hasRootCauseMessage("boom on run 3");
      assertThat(scheduler.pendingTaskCount()).isZero();
      assertThat(scheduler.uncaughtTaskFailures())
          .singleElement()
          .satisfies(t -> assertThat(t).hasMessage("boom on run 3"));
    }

    @Test
    @DisplayName("a periodic task can cancel itself from inside its run")
    void selfCancel() {
      AtomicReference<ScheduledFuture<?>> self = new AtomicReference<>();
      AtomicInteger runs = new AtomicInteger();
      self.set(
          scheduler.scheduleAtFixedRate(
              () -> {
                if (runs.incrementAndGet() == 4) {
                  self.get().cancel(false);
                }
              },
              0,
              1,
              TimeUnit.SECONDS));

      scheduler.advance(Duration.ofSeconds(30));

      assertThat(runs).hasValue(4);
      assertThat(self.get().isCancelled()).isTrue();
      assertThat(scheduler.pendingTaskCount()).isZero();
      assertThat(scheduler.nextDueTime()).isEmpty();
    }

    @Test
    @DisplayName(
        "one hour of 100 one-second periodic tasks runs every tick and keeps them all pending")
    void anHourOfPeriodicTasks() {
      AtomicInteger runs = new AtomicInteger();
      for (int i = 0; i < 100; i++) {
        scheduler.scheduleAtFixedRate(runs::incrementAndGet, 1, 1, TimeUnit.SECONDS);
      }
      // Speed is measured by the engine benchmark, not asserted here: wall-clock bounds flake on a
      // loaded machine.
      scheduler.advance(Duration.ofHours(1));

      assertThat(runs).hasValue(100 * 3600);
      assertThat(clock.elapsed()).isEqualTo(Duration.ofHours(1));
      assertThat(scheduler.pendingTaskCount()).isEqualTo(100);
    }

    @Test
    @DisplayName("a non-positive period is refused")
    void badPeriod() {
      assertThatThrownBy(() -> scheduler.scheduleAtFixedRate(record("x"), 0, 0, TimeUnit.SECONDS))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("positive period");
      assertThatThrownBy(
              () -> scheduler.scheduleWithFixedDelay(record("x"), 0, -1, TimeUnit.SECONDS))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("positive delay");
    }
  }

  @Nested
  @DisplayName("futures")
  class Futures {
    @Test
    @DisplayName("getDelay is relative to virtual now; get returns the value once run")
    void delayAndValue() throws Exception {
      ScheduledFuture<String> f = scheduler.schedule(() -> "hello", 30, TimeUnit.SECONDS);
      assertThat(f.getDelay(TimeUnit.SECONDS)).isEqualTo(30);
      scheduler.advance(Duration.ofSeconds(12));
      assertThat(f.getDelay(TimeUnit.SECONDS)).isEqualTo(18);
      assertThat(f.isDone()).isFalse();

      scheduler.advance(Duration.ofSeconds(18));
      assertThat(f.isDone()).isTrue();
      assertThat(f.get()).isEqualTo("hello");
      assertThat(f.get(1, TimeUnit.MILLISECONDS)).isEqualTo("hello");
    }

    @Test
    @DisplayName("submit and the Runnable-with-result form complete with their values")
    void submit() throws Exception {
      Future<Integer> a = scheduler.submit(() -> 42);
      Future<String> b = scheduler.submit(record("r"), "result");
      Future<?> c = scheduler.submit(record("plain"));
      scheduler.runUntilIdle();
      assertThat(a.get()).isEqualTo(42);
      assertThat(b.get()).isEqualTo("result");
      assertThat(c.get()).isNull();
      assertThat(log).containsExactly("r@0", "plain@0");
    }

    @Test
    @DisplayName(
        "a cancelled task never runs, its future reports cancellation, and pending counts drop")
    void cancel() {
      ScheduledFuture<?> f = scheduler.schedule(record("never"), 5, TimeUnit.SECONDS);
      scheduler.schedule(record("kept"), 6, TimeUnit.SECONDS);
      assertThat(scheduler.pendingTaskCount()).isEqualTo(2);

      assertThat(f.cancel(false)).isTrue();
      assertThat(f.cancel(false)).isFalse();
      assertThat(scheduler.pendingTaskCount()).isEqualTo(1);
      assertThat(scheduler.nextDueTime()).contains(t0.plusSeconds(6));

      scheduler.advance(Duration.ofSeconds(10));
      assertThat(log).containsExactly("kept@6");
      assertThat(f.isCancelled()).isTrue();
      assertThat(f.isDone()).isTrue();
      assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
    }

    @Test
    @DisplayName("a completed task cannot be cancelled")
    void cancelAfterDone() {
      ScheduledFuture<?> f = scheduler.schedule(record("x"), 1, TimeUnit.SECONDS);
      scheduler.advance(Duration.ofSeconds(1));
      assertThat(f.cancel(true)).isFalse();
      assertThat(f.isCancelled()).isFalse();
    }

    @Test
    @DisplayName("many cancelled timeouts do not pile up in memory")
    void cancelledTasksArePurged() {
      for (int i = 0; i < 50_000; i++) {
        scheduler.schedule(record("timeout"), 30, TimeUnit.SECONDS).cancel(false);
      }
      scheduler.schedule(record("real"), 1, TimeUnit.SECONDS);
      assertThat(scheduler.pendingTaskCount()).isEqualTo(1);
      assertThat(scheduler.nextDueTime()).contains(t0.plusSeconds(1));
      scheduler.advance(Duration.ofMinutes(1));
      assertThat(log).containsExactly("real@1");
    }

    @Test
    @DisplayName(
        "an exception completes the future, is recorded, and never escapes the driving call")
    void failuresAreCaptured() {
      Future<Object> f =
          scheduler.submit(
              () -> {
                throw new java.io.IOException("disk on fire");
              });
      scheduler.execute(
          () -> {
            throw new AssertionError("assertion inside a task");
          });
      scheduler.execute(record("after"));

      assertThat(scheduler.runUntilIdle()).isEqualTo(3);

      assertThat(log).containsExactly("after@0");
      assertThatThrownBy(f::get)
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(java.io.IOException.class);
      assertThat(scheduler.uncaughtTaskFailures())
          .extracting(Throwable::getMessage)
          .containsExactly("disk on fire", "assertion inside a task");
      assertThatThrownBy(scheduler::assertNoTaskFailures)
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("2 task(s)")
          .hasMessageContaining("disk on fire");
      scheduler.clearTaskFailures();
      scheduler.assertNoTaskFailures();
    }

    @Test
    @DisplayName("get on the driving thread fails fast instead of hanging")
    void getOnDriverThread() {
      ScheduledFuture<String> later = scheduler.schedule(() -> "x", 1, TimeUnit.HOURS);
      AtomicReference<Throwable> seen = new AtomicReference<>();
      AtomicReference<Throwable> seenTimed = new AtomicReference<>();
      scheduler.execute(
          () -> {
            try {
              later.get();
            } catch (Throwable t) {
              seen.set(t);
            }
            try {
              later.get(1, TimeUnit.DAYS);
            } catch (Throwable t) {
              seenTimed.set(t);
            }
          });
      scheduler.runUntilIdle();
      assertThat(seen.get())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("wait forever");
      assertThat(seenTimed.get()).isInstanceOf(TimeoutException.class);
    }

    @Test
    @DisplayName("get from another thread returns once the driving thread has run the task")
    void getFromAnotherThread() throws Exception {
      ScheduledFuture<String> f = scheduler.schedule(() -> "done", 10, TimeUnit.SECONDS);
      AtomicReference<Object> got = new AtomicReference<>();
      CountDownLatch waiting = new CountDownLatch(1);
      Thread waiter =
          new Thread(
              () -> {
                waiting.countDown();
                try {
                  got.set(f.get(10, TimeUnit.SECONDS));
                } catch (Exception e) {
                  got.set(e);
                }
              });
      waiter.start();
      waiting.await();
      scheduler.advance(Duration.ofSeconds(10));
      waiter.join(10_000);
      assertThat(got.get()).isEqualTo("done");
    }

    @Test
    @DisplayName("a timed get from another thread times out in real time when nobody drives")
    void timedGetTimesOut() {
      ScheduledFuture<String> f = scheduler.schedule(() -> "x", 1, TimeUnit.SECONDS);
      assertThatThrownBy(() -> f.get(20, TimeUnit.MILLISECONDS))
          .isInstanceOf(TimeoutException.class)
          .hasMessageContaining("advancing");
    }
  }

  @Nested
  @DisplayName("driving")
  class Driving {
    @Test
    @DisplayName("runUntil stops at the task that made the condition true")
    void runUntilStopsWhenConditionHolds() {
      AtomicInteger count = new AtomicInteger();
      scheduler.scheduleAtFixedRate(count::incrementAndGet, 1, 1, TimeUnit.SECONDS);
      boolean held = scheduler.runUntil(() -> count.get() >= 7, Duration.ofMinutes(1));
      assertThat(held).isTrue();
      assertThat(count).hasValue(7);
      assertThat(clock.instant()).isEqualTo(t0.plusSeconds(7));
    }

    @Test
    @DisplayName("runUntil gives up after the virtual budget, with the clock at its end")
    void runUntilGivesUp() {
      AtomicInteger count = new AtomicInteger();
      scheduler.scheduleAtFixedRate(count::incrementAndGet, 1, 1, TimeUnit.SECONDS);
      assertThat(scheduler.runUntil(() -> count.get() > 100, Duration.ofSeconds(30))).isFalse();
      assertThat(count).hasValue(30);
      assertThat(clock.instant()).isEqualTo(t0.plusSeconds(30));
      assertThat(scheduler.runUntil(() -> true, Duration.ZERO)).isTrue();
    }

    @Test
    @DisplayName("a task may not drive the scheduler it runs on")
    void noReentrantDriving() {
      AtomicReference<Throwable> seen = new AtomicReference<>();
      scheduler.execute(
          () -> {
            try {
              scheduler.advance(Duration.ofSeconds(1));
            } catch (Throwable t) {
              seen.set(t);
            }
          });
      scheduler.runUntilIdle();
      assertThat(seen.get())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("only the test's thread");
    }

    @Test
    @DisplayName("tasks scheduled from other threads are safe and run only on the driving thread")
    void schedulingFromOtherThreads() throws InterruptedException {
      List<Thread> ranOn = Collections.synchronizedList(new ArrayList<>());
      Thread[] producers = new Thread[4];
      for (int p = 0; p < producers.length; p++) {
        producers[p] =
            new Thread(
                () -> {
                  for (int i = 0; i < 2_500; i++) {
                    scheduler.schedule(
                        () -> ranOn.add(Thread.currentThread()), i % 50, TimeUnit.SECONDS);
                  }
                });
        producers[p].start();
      }
      for (Thread p : producers) {
        p.join();
      }
      assertThat(scheduler.pendingTaskCount()).isEqualTo(10_000);
      scheduler.advance(Duration.ofMinutes(1));
      assertThat(ranOn).hasSize(10_000).allMatch(t -> t == Thread.currentThread());
    }

    @Test
    @DisplayName("a task resubmitting itself with no delay is reported as a livelock, not a hang")
    void livelockIsReported() {
      scheduler.livelockLimit(10_000);
      Runnable[] self = new Runnable[1];
      self[0] = () -> scheduler.execute(self[0]);
      scheduler.execute(self[0]);
      assertThatThrownBy(scheduler::runUntilIdle)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("without virtual time advancing");
    }
  }

  @Nested
  @DisplayName("shutdown")
  class Shutdown {
    @Test
    @DisplayName("shutdown rejects new work, stops periodic tasks and still runs delayed one-shots")
    void shutdownLikeTheJdk() throws InterruptedException {
      scheduler.scheduleAtFixedRate(record("tick"), 1, 1, TimeUnit.SECONDS);
      scheduler.schedule(record("delayed"), 5, TimeUnit.SECONDS);
      scheduler.advance(Duration.ofSeconds(2));

      scheduler.shutdown();
      assertThat(scheduler.isShutdown()).isTrue();
      assertThat(scheduler.isTerminated()).isFalse();
      assertThat(scheduler.awaitTermination(1, TimeUnit.HOURS))
          .isFalse(); // answers at once: nobody drives
      assertThatThrownBy(() -> scheduler.execute(record("x")))
          .isInstanceOf(RejectedExecutionException.class);

      scheduler.advance(Duration.ofSeconds(10));
      assertThat(log).containsExactly("tick@1", "tick@2", "delayed@5");
      assertThat(scheduler.isTerminated()).isTrue();
      assertThat(scheduler.awaitTermination(0, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    @DisplayName("shutdownNow cancels and returns every task not started")
    void shutdownNow() {
      ScheduledFuture<?> a = scheduler.schedule(record("a"), 1, TimeUnit.SECONDS);
      scheduler.scheduleAtFixedRate(record("b"), 1, 1, TimeUnit.SECONDS);
      List<Runnable> notStarted = scheduler.shutdownNow();
      assertThat(notStarted).hasSize(2);
      assertThat(a.isCancelled()).isTrue();
      assertThat(scheduler.isTerminated()).isTrue();
      scheduler.advance(Duration.ofSeconds(5));
      assertThat(log).isEmpty();
    }

    @Test
    @DisplayName("awaitTermination waits for another thread that drives the scheduler to the end")
    void awaitWhileAnotherThreadDrives() throws Exception {
      CountDownLatch inTask = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      scheduler.execute(
          () -> {
            inTask.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      Thread driverThread = new Thread(scheduler::runUntilIdle);
      driverThread.start();
      inTask.await();
      scheduler.shutdown();
      assertThat(scheduler.isTerminated()).isFalse();
      release.countDown();
      assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      driverThread.join();
    }
  }
}
