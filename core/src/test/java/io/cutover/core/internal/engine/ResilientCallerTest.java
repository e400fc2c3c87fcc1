// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ProviderException;
import io.cutover.core.ResiliencePolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A provider call that outlives its attempt timeout must not run concurrently with its own retry
 * (issue 11, item 8): cancelling a future does not stop the work it stands for.
 */
class ResilientCallerTest {
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService providers = Executors.newFixedThreadPool(4);

  /** 3 attempts, 1 ms backoff, 100 ms per attempt. */
  private final ResiliencePolicy policy =
      new ResiliencePolicy(
          3,
          Duration.ofMillis(1),
          1.0,
          Duration.ofMillis(1),
          Duration.ofMillis(100),
          100f,
          100,
          Duration.ofSeconds(1));

  @AfterEach
  void stop() {
    providers.shutdownNow();
    scheduler.shutdownNow();
  }

  /** A provider that counts calls and concurrent calls; the first call blocks until released. */
  private static final class Blocking implements Supplier<String> {
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch firstEnded = new CountDownLatch(1);
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();

    @Override
    public String get() {
      int n = calls.incrementAndGet();
      maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        if (n == 1) {
          release.await(30, TimeUnit.SECONDS);
        }
        return "ok " + n;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } finally {
        running.decrementAndGet();
        if (n == 1) {
          firstEnded.countDown();
        }
      }
    }
  }

  private ResilientCaller caller() {
    return new ResilientCaller(
        "fleet", policy, scheduler, providers, Clock.systemUTC(), (n, t) -> {});
  }

  @Test
  @DisplayName(
      "a retry never starts while the timed-out attempt still runs; the call times out instead")
  void retryWaitsForTheHungAttempt() throws Exception {
    ResilientCaller c = caller();
    Blocking provider = new Blocking();

    CompletableFuture<String> call = c.call("launch", provider);

    assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("timed out after PT0.1S");
    // Three attempts timed out, but the provider saw only the first: the others were abandoned
    // before they started.
    assertThat(provider.calls).hasValue(1);
    assertThat(provider.maxRunning).hasValue(1);

    provider.release.countDown();
    // A new call without a lane is not serialized with the old one: wait for the hung attempt to
    // end so that the count below only measures this call's own attempts.
    assertThat(provider.firstEnded.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(c.call("launch", provider).get(10, TimeUnit.SECONDS)).isEqualTo("ok 2");
    assertThat(provider.maxRunning).hasValue(1);
  }

  @Test
  @DisplayName("calls in one lane (a service) wait for the work still running in it")
  void laneSerializesCalls() throws Exception {
    ResilientCaller c = caller();
    Blocking provider = new Blocking();

    CompletableFuture<String> launch = c.call("launch", "checkout", provider);
    assertThatThrownBy(() -> launch.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ProviderException.class);
    CompletableFuture<String> other = c.call("launch", "payments", provider);
    assertThat(other.get(10, TimeUnit.SECONDS)).isEqualTo("ok 2");
    // The retire waits behind the hung launch of the same service, and gives up without starting.
    CompletableFuture<String> retire = c.call("retire", "checkout", provider);
    assertThatThrownBy(() -> retire.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ProviderException.class);
    assertThat(provider.calls).hasValue(2);

    provider.release.countDown();
    assertThat(c.call("retire", "checkout", provider).get(10, TimeUnit.SECONDS)).isEqualTo("ok 3");
    assertThat(provider.calls).hasValue(3);
  }
}
