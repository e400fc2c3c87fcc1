package io.cutover.testkit.fault;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A minimal virtual clock and scheduler for these tests: only {@code schedule(Runnable, delay, unit)} is
 * supported, and tasks run on the thread that calls {@link #advance}.
 */
final class ManualTime implements InstantSource {
  private record Task(Instant due, Runnable run) {}

  private Instant now = Instant.parse("2026-01-01T00:00:00Z");
  private final List<Task> tasks = new ArrayList<>();

  @Override
  public synchronized Instant instant() {
    return now;
  }

  synchronized int pending() {
    return tasks.size();
  }

  void advance(Duration d) {
    List<Task> due = new ArrayList<>();
    synchronized (this) {
      now = now.plus(d);
      tasks.removeIf(t -> {
        if (!t.due().isAfter(now)) {
          due.add(t);
          return true;
        }
        return false;
      });
    }
    due.forEach(t -> t.run().run());
  }

  ScheduledExecutorService scheduler() {
    return (ScheduledExecutorService) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {ScheduledExecutorService.class}, (proxy, method, args) -> {
          if (method.getName().equals("schedule") && args.length == 3 && args[0] instanceof Runnable r) {
            synchronized (this) {
              tasks.add(new Task(now.plusNanos(((TimeUnit) args[2]).toNanos((Long) args[1])), r));
            }
            return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ScheduledFuture.class},
                (p, m, a) -> m.getName().equals("cancel") ? Boolean.TRUE : null);
          }
          throw new UnsupportedOperationException("ManualTime supports schedule(Runnable, long, TimeUnit) only, not "
              + method.getName());
        });
  }
}
