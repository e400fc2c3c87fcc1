// SPDX-License-Identifier: Apache-2.0
package io.cutover.simulator;

import io.cutover.core.VirtualTimeScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A {@link java.util.concurrent.ScheduledExecutorService} on virtual time: an hour of scheduled
 * work runs in milliseconds, deterministically, on the test's own thread.
 *
 * <p><b>Ordering.</b> Tasks run in order of due time, then of submission (a periodic task is
 * re-submitted when its next run is scheduled). {@link #execute} and {@link #submit} are due now.
 *
 * <p><b>Driving.</b> Nothing runs by itself. Tasks run only on the thread that calls {@link
 * #runUntilIdle()}, {@link #advance(Duration)}, {@link #advanceTo(Instant)} or {@link
 * #runUntil(BooleanSupplier, Duration)}; while a task runs, the {@link #clock()} shows its due
 * time. Only one thread drives at a time, and a task must not drive the scheduler it runs on.
 *
 * <p><b>Held time.</b> Work the engine waits for outside the scheduler (a durable journal's flush,
 * see {@link #holdTimeUntil}) holds the clock: while it is in flight, tasks due now run, but the
 * clock does not move on and a driving condition is not checked; the driving thread waits for it in
 * real time. A run on a durable journal is thus timed exactly as one on an in-memory journal.
 *
 * <p><b>Failures.</b> An exception thrown by a task completes its future exceptionally (and stops a
 * periodic task, like the JDK's executors); it never escapes the driving call. Every such failure
 * is also kept in {@link #uncaughtTaskFailures()}, so a test can assert that no task failed even
 * when no one looked at the future.
 *
 * <p><b>Futures.</b> {@code cancel} works before and (for periodic tasks) during a run; {@code
 * getDelay} is relative to virtual now. A blocking {@code get} waits for another thread to drive
 * the scheduler; called on the driving thread (where waiting could never end) it throws {@link
 * IllegalStateException} instead of hanging.
 *
 * <p><b>Shutdown.</b> As the JDK's {@code ScheduledThreadPoolExecutor} by default: after {@link
 * #shutdown()} new tasks are rejected, periodic tasks stop, delayed one-shot tasks still run when
 * time is advanced. {@link #shutdownNow()} cancels and returns every task not yet started. {@link
 * #awaitTermination} waits only while another thread is driving; otherwise it answers at once,
 * since virtual time cannot pass by waiting.
 *
 * <p><b>Threading and cost.</b> Scheduling, cancelling and inspection are safe from any thread. A
 * priority queue for timers and a FIFO for tasks due now, one object per task, cancelled tasks
 * removed lazily: millions of tasks per second.
 */
public final class VirtualScheduler extends AbstractExecutorService
    implements VirtualTimeScheduler {

  // A guard against a task that resubmits itself with no delay: without it runUntilIdle() never
  // returns.
  private static final long DEFAULT_LIVELOCK_LIMIT = 10_000_000;
  private static final int PURGE_THRESHOLD = 1024;

  private static final int NEW = 0;
  private static final int SCHEDULED = 1;
  private static final int RUNNING = 2;
  private static final int DONE = 3;
  private static final int FAILED = 4;
  private static final int CANCELLED = 5;

  private static final Comparator<Task<?>> ORDER =
      (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq);

  private final VirtualClock clock;
  private final Object lock = new Object();
  private final TaskQueue<Task<?>> queue = new TaskQueue<>(ORDER);
  private final List<Throwable> failures = new ArrayList<>();
  private long sequence;
  private int pending;
  // Work in flight outside the scheduler that holds the clock (holdTimeUntil); guarded by lock.
  private int holds;
  private int cancelledInQueue;
  private boolean shutdown;
  private final CountDownLatch terminated = new CountDownLatch(1);
  private volatile @Nullable Thread driver;
  private @Nullable Task<?> running;
  private long livelockLimit = DEFAULT_LIVELOCK_LIMIT;

  private VirtualScheduler(VirtualClock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A scheduler on a new {@link VirtualClock} at {@link VirtualClock#DEFAULT_START}. */
  public static VirtualScheduler create() {
    return new VirtualScheduler(VirtualClock.create());
  }

  /** A scheduler on the given clock. */
  public static VirtualScheduler on(VirtualClock clock) {
    return new VirtualScheduler(clock);
  }

  /** The clock this scheduler moves. */
  public VirtualClock clock() {
    return clock;
  }

  // ---------------------------------------------------------------- driving

  /**
   * Runs every task due at the current virtual time, including tasks those tasks submit for now.
   *
   * @return the number of task runs
   * @throws IllegalStateException if called from a task, or while another thread drives
   */
  public int runUntilIdle() {
    return (int) drive(clock.nanos(), null)[0];
  }

  /**
   * Advances virtual time by {@code duration}, running every task due until then in time order; the
   * clock moves to each task's due time as it runs, and finally to now + {@code duration}.
   *
   * @return the number of task runs
   * @throws IllegalArgumentException if the duration is negative
   * @throws IllegalStateException if called from a task, or while another thread drives
   */
  public int advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException(
          "cannot advance by a negative duration ("
              + duration
              + "); virtual time only moves forward");
    }
    return (int) drive(saturatedAdd(clock.nanos(), duration.toNanos()), null)[0];
  }

  /**
   * Advances virtual time to {@code target}, like {@link #advance(Duration)}.
   *
   * @return the number of task runs
   * @throws IllegalArgumentException if {@code target} is before the current virtual time
   */
  public int advanceTo(Instant target) {
    Objects.requireNonNull(target, "target");
    Instant now = clock.instant();
    if (target.isBefore(now)) {
      throw new IllegalArgumentException(
          "cannot advance to " + target + ": the virtual clock is already at " + now);
    }
    return (int) drive(clock.nanosAt(target), null)[0];
  }

  /**
   * Runs tasks one by one, in time order, until {@code condition} holds or {@code maxVirtualTime}
   * has passed. The condition is checked before the first task and after each one, so the clock
   * stops at the due time of the task that made it true; if it never holds, the clock ends at now +
   * {@code maxVirtualTime}.
   *
   * @return whether the condition holds
   */
  public boolean runUntil(BooleanSupplier condition, Duration maxVirtualTime) {
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(maxVirtualTime, "maxVirtualTime");
    if (maxVirtualTime.isNegative()) {
      throw new IllegalArgumentException(
          "maxVirtualTime is negative (" + maxVirtualTime + "); use zero or more");
    }
    return drive(saturatedAdd(clock.nanos(), maxVirtualTime.toNanos()), condition)[1] == 1;
  }

  /** Runs due tasks up to {@code target}; returns {task runs, 1 if the condition held}. */
  private long[] drive(long target, @Nullable BooleanSupplier condition) {
    Thread me = Thread.currentThread();
    synchronized (lock) {
      if (driver == me) {
        throw new IllegalStateException(
            "a task of this VirtualScheduler tried to advance it; only the test's "
                + "thread may drive virtual time (schedule follow-up work instead)");
      }
      if (driver != null) {
        throw new IllegalStateException(
            "thread '"
                + driver.getName()
                + "' is already driving this "
                + "VirtualScheduler; drive it from one thread at a time");
      }
      driver = me;
    }
    long runs = 0;
    long runsAtThisInstant = 0;
    long lastDue = Long.MIN_VALUE;
    try {
      while (true) {
        boolean quiet;
        synchronized (lock) {
          quiet = awaitHeldWorkLocked();
        }
        if (quiet && condition != null && condition.getAsBoolean()) {
          return new long[] {runs, 1};
        }
        Task<?> task;
        synchronized (lock) {
          // With work held, only a task due now can be at the head (awaitHeldWorkLocked).
          task = pollDue(quiet ? target : Math.min(target, clock.nanos()));
          if (task == null) {
            break;
          }
          task.state = RUNNING;
          running = task;
          if (!task.isPeriodic()) {
            pending--;
          }
        }
        clock.moveToNanos(task.due);
        runsAtThisInstant = task.due == lastDue ? runsAtThisInstant + 1 : 1;
        lastDue = task.due;
        if (runsAtThisInstant > livelockLimit) {
          throw new IllegalStateException(
              livelockLimit
                  + " tasks ran at "
                  + clock.instant()
                  + " without virtual time advancing: a task probably resubmits itself with no delay");
        }
        task.runOnce();
        runs++;
      }
      clock.moveToNanos(target);
      return new long[] {runs, condition != null && condition.getAsBoolean() ? 1 : 0};
    } finally {
      synchronized (lock) {
        driver = null;
        running = null;
        checkTerminatedLocked();
      }
    }
  }

  /**
   * Waits (real time) while work holds the clock and no task is due now.
   *
   * @return true if nothing holds the clock any more
   */
  private boolean awaitHeldWorkLocked() {
    while (holds > 0) {
      Task<?> head = peekLive();
      if (head != null && head.due <= clock.nanos()) {
        return false;
      }
      try {
        lock.wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(
            "interrupted while waiting for " + holds + " held piece(s) of work", e);
      }
    }
    return true;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here: the driving call waits for {@code work} in real time before it moves the clock or
   * checks its condition.
   */
  @Override
  public void holdTimeUntil(CompletionStage<?> work) {
    Objects.requireNonNull(work, "work");
    synchronized (lock) {
      holds++;
    }
    work.whenComplete(
        (v, e) -> {
          synchronized (lock) {
            holds--;
            lock.notifyAll();
          }
        });
  }

  private @Nullable Task<?> pollDue(long target) {
    Task<?> head = peekLive();
    return head == null || head.due > target ? null : queue.poll();
  }

  private @Nullable Task<?> peekLive() {
    Task<?> head = queue.peek();
    while (head != null && head.state == CANCELLED) {
      queue.poll();
      cancelledInQueue--;
      head = queue.peek();
    }
    return head;
  }

  /** Lowers the livelock guard so its own test runs fast. */
  void livelockLimit(long limit) {
    this.livelockLimit = limit;
  }

  // ---------------------------------------------------------------- inspection

  /**
   * Tasks waiting to run: scheduled, not cancelled; a periodic task counts once while it repeats.
   */
  public int pendingTaskCount() {
    synchronized (lock) {
      return pending;
    }
  }

  /** When the next pending task is due, or empty when none is pending. */
  public Optional<Instant> nextDueTime() {
    synchronized (lock) {
      Task<?> head = peekLive();
      return head == null ? Optional.empty() : Optional.of(clock.start().plusNanos(head.due));
    }
  }

  /**
   * Every throwable that escaped a task, in the order they happened, whether or not the task's
   * future was also read. A healthy test ends with this list empty.
   */
  public List<Throwable> uncaughtTaskFailures() {
    synchronized (lock) {
      return List.copyOf(failures);
    }
  }

  /**
   * Throws an {@link AssertionError} listing every task failure (the first as its cause) if any
   * task failed; does nothing otherwise.
   */
  public void assertNoTaskFailures() {
    List<Throwable> all = uncaughtTaskFailures();
    if (!all.isEmpty()) {
      StringBuilder sb = new StringBuilder(all.size() + " task(s) of the VirtualScheduler failed:");
      for (Throwable t : all) {
        sb.append("\n  - ").append(t);
      }
      throw new AssertionError(sb.toString(), all.get(0));
    }
  }

  /** Forgets the recorded task failures. */
  public void clearTaskFailures() {
    synchronized (lock) {
      failures.clear();
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "VirtualScheduler[now="
          + clock.instant()
          + ", pending="
          + pending
          + (shutdown ? ", shut down" : "")
          + "]";
    }
  }

  // ---------------------------------------------------------------- scheduling

  @Override
  public void execute(Runnable command) {
    Objects.requireNonNull(command, "command");
    if (command instanceof Task<?> t && t.owner() == this && t.state == NEW) {
      // A task made by newTaskFor (submit, invokeAll): enqueue it as is, no second wrapper.
      enqueue(t, clock.nanos());
      return;
    }
    enqueue(new Task<>(command, null, 0), clock.nanos());
  }

  @Override
  protected <T> RunnableFuture<T> newTaskFor(Runnable runnable, @Nullable T value) {
    return new Task<>(runnable, value, 0);
  }

  @Override
  protected <T> RunnableFuture<T> newTaskFor(Callable<T> callable) {
    return new Task<>(callable, null, 0);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    Objects.requireNonNull(command, "command");
    return enqueue(new Task<>(command, null, 0), dueAfter(delay, unit));
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    Objects.requireNonNull(callable, "callable");
    return enqueue(new Task<V>(callable, null, 0), dueAfter(delay, unit));
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    Objects.requireNonNull(command, "command");
    return enqueue(
        new Task<>(command, null, positivePeriod(period, unit, "period")),
        dueAfter(initialDelay, unit));
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    Objects.requireNonNull(command, "command");
    // A negative period marks fixed-delay scheduling, as in the JDK.
    return enqueue(
        new Task<>(command, null, -positivePeriod(delay, unit, "delay")),
        dueAfter(initialDelay, unit));
  }

  private static long positivePeriod(long period, TimeUnit unit, String name) {
    Objects.requireNonNull(unit, "unit");
    long nanos = unit.toNanos(period);
    if (nanos <= 0) {
      throw new IllegalArgumentException(
          name + " is " + period + " " + unit + "; a periodic task needs a positive " + name);
    }
    return nanos;
  }

  private long dueAfter(long delay, TimeUnit unit) {
    Objects.requireNonNull(unit, "unit");
    return saturatedAdd(clock.nanos(), Math.max(0, unit.toNanos(delay)));
  }

  private <V> Task<V> enqueue(Task<V> task, long due) {
    synchronized (lock) {
      if (shutdown) {
        throw new RejectedExecutionException(
            "VirtualScheduler is shut down; it accepts no new task");
      }
      task.due = due;
      task.seq = sequence++;
      task.state = SCHEDULED;
      queue.add(task, due == clock.nanos());
      pending++;
      if (holds > 0) {
        lock.notifyAll(); // the driver may be waiting for held work: this task may be due now
      }
    }
    return task;
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    // Overflow iff both operands have the sign opposite to the result.
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void shutdown() {
    synchronized (lock) {
      shutdown = true;
      queue.forEach(
          t -> {
            if (t.state == SCHEDULED && t.isPeriodic()) {
              cancelLocked(t);
            }
          });
      checkTerminatedLocked();
    }
  }

  @Override
  public List<Runnable> shutdownNow() {
    List<Runnable> notStarted = new ArrayList<>();
    synchronized (lock) {
      shutdown = true;
      queue.forEach(
          t -> {
            if (t.state == SCHEDULED) {
              cancelLocked(t);
              notStarted.add(t);
            }
          });
      queue.clear();
      cancelledInQueue = 0;
      checkTerminatedLocked();
    }
    for (Runnable r : notStarted) {
      ((Task<?>) r).signal();
    }
    return notStarted;
  }

  @Override
  public boolean isShutdown() {
    synchronized (lock) {
      return shutdown;
    }
  }

  @Override
  public boolean isTerminated() {
    synchronized (lock) {
      return shutdown && pending == 0 && running == null;
    }
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    Thread d = driver;
    if (isTerminated()) {
      return true;
    }
    if (d == null || d == Thread.currentThread()) {
      return false; // nobody can make virtual progress while we wait
    }
    return terminated.await(timeout, unit); // real time: another thread is driving
  }

  private void checkTerminatedLocked() {
    if (shutdown && pending == 0 && running == null) {
      terminated.countDown();
    }
  }

  private void cancelLocked(Task<?> t) {
    t.state = CANCELLED;
    pending--;
    cancelledInQueue++;
  }

  private void purgeIfWorthIt() {
    // Lazy removal keeps cancel O(1); rebuild once cancelled tasks dominate so memory stays
    // bounded.
    if (cancelledInQueue > PURGE_THRESHOLD && cancelledInQueue > queue.size() / 2) {
      queue.removeIf(t -> t.state == CANCELLED);
      cancelledInQueue = 0;
    }
  }

  // ---------------------------------------------------------------- the task

  /** One scheduled unit of work and its future; the only object allocated per task. */
  private final class Task<V> implements RunnableScheduledFuture<V> {
    private final Object action;
    // Fixed rate if > 0, fixed delay if < 0, one-shot if 0; nanoseconds.
    private final long period;
    private @Nullable Object outcome;
    private long due;
    private long seq;
    private volatile int state = NEW;
    // Created only when someone blocks in get(): most tasks are never waited for.
    private volatile @Nullable CountDownLatch completion;

    Task(Object action, @Nullable Object result, long period) {
      this.action = action;
      this.outcome = result;
      this.period = period;
    }

    VirtualScheduler owner() {
      return VirtualScheduler.this;
    }

    /** Runs the action once on the driving thread; the task is already RUNNING. */
    @SuppressWarnings("unchecked")
    void runOnce() {
      Object result = null;
      Throwable failure = null;
      try {
        if (action instanceof Callable<?> c) {
          result = c.call();
        } else {
          ((Runnable) action).run();
          result = outcome;
        }
      } catch (
          Throwable t) { // NOPMD: a task's failure belongs to its future, never to the driving loop
        failure = t;
      }
      boolean finished;
      synchronized (lock) {
        if (running == this) {
          running = null;
        }
        if (failure != null) {
          failures.add(failure);
          if (state == RUNNING) {
            outcome = failure;
            state = FAILED;
            if (isPeriodic()) {
              pending--;
            }
          }
        } else if (!isPeriodic()) {
          if (state == RUNNING) {
            outcome = result;
            state = DONE;
          }
        } else if (state == RUNNING) {
          if (shutdown) {
            state = CANCELLED;
            pending--;
          } else {
            due = period > 0 ? saturatedAdd(due, period) : saturatedAdd(clock.nanos(), -period);
            seq = sequence++;
            state = SCHEDULED;
            queue.add(this, due == clock.nanos());
          }
        }
        finished = state >= DONE;
        checkTerminatedLocked();
      }
      if (finished) {
        signal();
      }
    }

    void signal() {
      CountDownLatch c = completion;
      if (c != null) {
        c.countDown();
      }
    }

    private CountDownLatch completionLatch() {
      synchronized (this) {
        if (completion == null) {
          completion = new CountDownLatch(1);
        }
        return completion;
      }
    }

    @Override
    public void run() {
      // Running a task by hand (e.g. one returned by shutdownNow) does what the scheduler would do.
      synchronized (lock) {
        if (state != SCHEDULED && state != NEW) {
          return;
        }
        if (state == SCHEDULED) {
          queue.remove(this);
          if (!isPeriodic()) {
            pending--;
          }
        }
        state = RUNNING;
      }
      runOnce();
    }

    @Override
    public boolean isPeriodic() {
      return period != 0;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(due - clock.nanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      if (other == this) {
        return 0;
      }
      if (other instanceof Task<?> t && t.owner() == owner()) {
        return ORDER.compare(this, t);
      }
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      synchronized (lock) {
        if (state == NEW || state == SCHEDULED || (state == RUNNING && isPeriodic())) {
          boolean inQueue = state == SCHEDULED;
          state = CANCELLED;
          if (inQueue || isPeriodic()) {
            pending--;
          }
          if (inQueue) {
            cancelledInQueue++;
            purgeIfWorthIt();
          }
          checkTerminatedLocked();
        } else {
          return false;
        }
      }
      signal();
      return true;
    }

    @Override
    public boolean isCancelled() {
      return state == CANCELLED;
    }

    @Override
    public boolean isDone() {
      return state >= DONE;
    }

    @Override
    public @Nullable V get() throws InterruptedException, ExecutionException {
      if (state < DONE) {
        if (driver == Thread.currentThread()) {
          throw new IllegalStateException(
              "get() on an unfinished task, called on the thread that drives the "
                  + "VirtualScheduler: it would wait forever; advance time first or chain the work instead");
        }
        CountDownLatch c = completionLatch();
        if (state < DONE) { // re-read after publishing the latch: signal() may have missed it
          c.await();
        }
      }
      return report();
    }

    @Override
    public @Nullable V get(long timeout, TimeUnit unit)
        throws InterruptedException, ExecutionException, TimeoutException {
      if (state < DONE) {
        if (driver == Thread.currentThread()) {
          throw new TimeoutException(
              "task not done at "
                  + clock.instant()
                  + "; waiting on the thread that drives "
                  + "the VirtualScheduler cannot make it progress");
        }
        CountDownLatch c = completionLatch();
        // Real time: only another thread driving the scheduler can complete the task meanwhile.
        if (state < DONE && !c.await(timeout, unit)) {
          throw new TimeoutException(
              "task not done after "
                  + timeout
                  + " "
                  + unit
                  + " of real time; "
                  + "is any thread advancing the VirtualScheduler?");
        }
      }
      return report();
    }

    @SuppressWarnings("unchecked")
    private @Nullable V report() throws ExecutionException {
      int s = state;
      if (s == CANCELLED) {
        throw new CancellationException("task was cancelled");
      }
      if (s == FAILED) {
        throw new ExecutionException((Throwable) outcome);
      }
      return (V) outcome;
    }

    @Override
    public String toString() {
      return "VirtualTask[due="
          + clock.start().plusNanos(due)
          + ", state="
          + state
          + ", "
          + action
          + "]";
    }
  }
}
