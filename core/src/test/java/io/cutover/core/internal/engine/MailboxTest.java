// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MailboxTest {

  /** Runs inline, except that it rejects the next {@code rejections} submissions. */
  private static final class Flaky implements Executor {
    int rejections;

    @Override
    public void execute(Runnable r) {
      if (rejections > 0) {
        rejections--;
        throw new RejectedExecutionException("saturated");
      }
      r.run();
    }
  }

  @Test
  @DisplayName(
      "a task the scheduler rejects is refused, and the next task still runs (issue 11.15)")
  void survivesRejection() {
    Flaky ex = new Flaky();
    List<String> ran = new ArrayList<>();
    Mailbox m = new Mailbox(ex, e -> ran.add("failed " + e));
    ex.rejections = 1;

    assertThatThrownBy(() -> m.execute(() -> ran.add("a")))
        .isInstanceOf(RejectedExecutionException.class);
    m.execute(() -> ran.add("b"));
    m.execute(() -> ran.add("c"));

    assertThat(ran).containsExactly("b", "c");
  }

  @Test
  @DisplayName("a task that throws goes to the failure handler before the next task runs")
  void failureGoesToHandler() {
    List<Runnable> pending = new ArrayList<>();
    List<String> ran = new ArrayList<>();
    Mailbox m = new Mailbox(pending::add, e -> ran.add("handled " + e.getMessage()));
    m.execute(
        () -> {
          throw new IllegalStateException("boom");
        });
    m.execute(() -> ran.add("next"));
    assertThat(pending).hasSize(1);
    pending.get(0).run();

    assertThat(ran).containsExactly("handled boom", "next");
  }

  @Test
  @DisplayName("a handler that throws is given that failure once, then the mailbox goes on")
  void handlerFailureIsBounded() {
    List<String> ran = new ArrayList<>();
    Mailbox m =
        new Mailbox(
            Runnable::run,
            e -> {
              ran.add("handler " + e.getMessage());
              throw new IllegalArgumentException("handler broke on " + e.getMessage());
            });
    m.execute(
        () -> {
          throw new IllegalStateException("boom");
        });
    m.execute(() -> ran.add("next"));

    assertThat(ran).containsExactly("handler boom", "handler handler broke on boom", "next");
  }

  @Test
  @DisplayName(
      "a held mailbox runs nothing until the future completes, then the continuation first")
  void holdRunsContinuationFirst() {
    List<Runnable> scheduler = new ArrayList<>();
    List<String> ran = new ArrayList<>();
    Mailbox m = new Mailbox(scheduler::add, e -> ran.add("failed " + e));
    CompletableFuture<String> durable = new CompletableFuture<>();
    m.execute(
        () -> {
          ran.add("append");
          m.holdUntil(durable, () -> ran.add("continuation"));
          ran.add("rest of the task");
        });
    m.execute(() -> ran.add("timer"));
    runAll(scheduler);
    assertThat(ran).containsExactly("append", "rest of the task");
    assertThat(m.held()).isTrue();

    m.execute(() -> ran.add("command"));
    runAll(scheduler);
    assertThat(ran).containsExactly("append", "rest of the task");

    durable.complete("ok"); // e.g. on a journal's writer thread: only queues the drain
    assertThat(ran).containsExactly("append", "rest of the task");
    runAll(scheduler);
    assertThat(ran)
        .containsExactly("append", "rest of the task", "continuation", "timer", "command");
    assertThat(m.held()).isFalse();
  }

  @Test
  @DisplayName("a hold on a future that is already complete lets the continuation run next")
  void holdOnCompletedFuture() {
    List<String> ran = new ArrayList<>();
    Mailbox m = new Mailbox(Runnable::run, e -> ran.add("failed " + e));
    m.execute(
        () -> {
          m.execute(() -> ran.add("queued earlier"));
          m.holdUntil(CompletableFuture.completedFuture(null), () -> ran.add("continuation"));
          ran.add("task");
        });
    assertThat(ran).containsExactly("task", "continuation", "queued earlier");
  }

  private static void runAll(List<Runnable> scheduler) {
    while (!scheduler.isEmpty()) {
      scheduler.remove(0).run();
    }
  }

  @Test
  @DisplayName("executeHere runs an idle mailbox's task on the calling thread, with no hand-off")
  void executeHereRunsAnIdleMailboxInPlace() {
    List<Runnable> pending = new ArrayList<>();
    List<String> ran = new ArrayList<>();
    Mailbox m = new Mailbox(pending::add, e -> ran.add("failed " + e));

    m.executeHere(() -> ran.add("timer"));

    assertThat(ran).containsExactly("timer");
    assertThat(pending).isEmpty();
  }

  @Test
  @DisplayName("executeHere queues behind a drain already submitted, in order, and adds no drain")
  void executeHereQueuesBehindWaitingTasks() {
    List<Runnable> pending = new ArrayList<>();
    List<String> ran = new ArrayList<>();
    Mailbox m = new Mailbox(pending::add, e -> ran.add("failed " + e));
    m.execute(() -> ran.add("first"));

    m.executeHere(() -> ran.add("timer"));

    assertThat(ran).isEmpty();
    assertThat(pending).hasSize(1);
    pending.get(0).run();
    assertThat(ran).containsExactly("first", "timer");
  }

  @Test
  @DisplayName("executeHere on a held mailbox waits for the continuation, which runs first")
  void executeHereRespectsAHold() {
    List<Runnable> pending = new ArrayList<>();
    List<String> ran = new ArrayList<>();
    Mailbox m = new Mailbox(pending::add, e -> ran.add("failed " + e));
    CompletableFuture<Void> durable = new CompletableFuture<>();
    m.execute(
        () -> {
          ran.add("holder");
          m.holdUntil(durable, () -> ran.add("continuation"));
        });
    pending.remove(0).run();

    m.executeHere(() -> ran.add("timer"));
    assertThat(ran).containsExactly("holder");

    durable.complete(null);
    assertThat(pending).hasSize(1);
    pending.remove(0).run();
    assertThat(ran).containsExactly("holder", "continuation", "timer");
  }
}
