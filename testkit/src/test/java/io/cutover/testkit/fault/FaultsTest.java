// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.Digest;
import io.cutover.api.Instance;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.api.Verdict;
import io.cutover.core.journal.InMemoryJournal;
import io.cutover.simulator.VirtualClock;
import io.cutover.simulator.VirtualScheduler;
import io.cutover.spi.Fleet;
import io.cutover.spi.HealthGate;
import io.cutover.spi.Journal;
import io.cutover.spi.JournalRecord;
import io.cutover.spi.MetricResult;
import io.cutover.spi.MetricSource;
import io.cutover.spi.OperationId;
import io.cutover.spi.Router;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Faults")
class FaultsTest {
  private final VirtualScheduler scheduler = VirtualScheduler.create();
  private final VirtualClock time = scheduler.clock();
  private final RecordingRouter real = new RecordingRouter();
  private final ExecutorService callers = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    callers.shutdownNow();
  }

  private static OperationId op(int i) {
    return new OperationId("r-1/s" + i + "/route");
  }

  private static void apply(Router r, int i) {
    r.apply(op(i), "checkout", TrafficSplit.all("checkout-v1"), Map.of());
  }

  /** Waits (in real time, bounded) until {@code log} shows {@code n} blocked calls. */
  private static void awaitBlocked(FaultLog log, int n) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (log.blocked() != n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("expected " + n + " blocked calls, found " + log.blocked());
      }
      Thread.onSpinWait();
    }
  }

  @Nested
  @DisplayName("failing calls")
  class Failing {
    @Test
    @DisplayName("failNth fails exactly those calls, before they reach the wrapped object")
    void nth() {
      Router r = Faults.router(real).only("apply").failNth(3, 5).build();
      List<Integer> failed = new ArrayList<>();
      for (int i = 1; i <= 6; i++) {
        try {
          apply(r, i);
        } catch (ProviderException e) {
          assertThat(e.provider()).isEqualTo("router");
          assertThat(e.operation()).isEqualTo("apply");
          assertThat(e.retryable()).isTrue();
          assertThat(e.getMessage()).contains("call " + i + " failed (injected)");
          failed.add(i);
        }
        assertThat(r.current("checkout")).isPresent();
      }
      assertThat(failed).containsExactly(3, 5);
      assertThat(real.applied).containsExactly(op(1), op(2), op(4), op(6));
      FaultLog log = Faults.log(r);
      assertThat(log.calls()).as("only apply is counted").isEqualTo(6);
      assertThat(log.calls("current")).isZero();
      assertThat(log.injections()).extracting(FaultLog.Injection::call).containsExactly(3L, 5L);
    }

    @Test
    @DisplayName(
        "failAfterEffect performs the call, then loses the response; nonRetryable marks the error")
    void afterEffect() {
      Router r =
          Faults.router(real).failNth(1).failAfterEffect().nonRetryable().named("haproxy").build();
      assertThatThrownBy(() -> apply(r, 1))
          .isInstanceOfSatisfying(
              ProviderException.class,
              e -> {
                assertThat(e.retryable()).isFalse();
                assertThat(e.provider()).isEqualTo("haproxy");
                assertThat(e.getMessage()).contains("took effect but its response was lost");
              });
      assertThat(real.applied).containsExactly(op(1));
      assertThat(Faults.log(r).injections(FaultLog.Kind.FAILED_AFTER_EFFECT)).hasSize(1);
    }

    @Test
    @DisplayName(
        "failWithProbability fails the same calls for the same seed, whatever the thread interleaving")
    void probability() throws Exception {
      List<Long> first = failingCalls(42, false);
      List<Long> second = failingCalls(42, true);
      List<Long> other = failingCalls(7, false);
      assertThat(first).isEqualTo(second);
      assertThat(first).isNotEqualTo(other);
      assertThat(first.size()).as("failures out of 1000 at p=0.2").isBetween(150, 250);
    }

    private List<Long> failingCalls(long seed, boolean concurrently) throws Exception {
      Router r = Faults.router(new RecordingRouter()).failWithProbability(0.2, seed).build();
      if (concurrently) {
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          fs.add(
              CompletableFuture.runAsync(
                  () ->
                      IntStream.range(0, 125)
                          .forEach(
                              i -> {
                                try {
                                  apply(r, i);
                                } catch (ProviderException expected) {
                                  // counted in the log
                                }
                              }),
                  callers));
        }
        CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      } else {
        for (int i = 0; i < 1000; i++) {
          try {
            apply(r, i);
          } catch (ProviderException expected) {
            // counted in the log
          }
        }
      }
      FaultLog log = Faults.log(r);
      assertThat(log.calls()).isEqualTo(1000);
      return log.injections().stream().map(FaultLog.Injection::call).sorted().toList();
    }

    @Test
    @DisplayName("an outage window fails calls in [from, to) of virtual time")
    void outage() {
      Instant t0 = time.instant();
      Router r =
          Faults.router(real)
              .only("apply")
              .outage(t0.plusSeconds(60), t0.plusSeconds(90))
              .clock(time)
              .build();
      apply(r, 1);
      scheduler.advance(Duration.ofSeconds(60));
      assertThatThrownBy(() -> apply(r, 2))
          .isInstanceOf(ProviderException.class)
          .hasMessageContaining("outage");
      scheduler.advance(Duration.ofSeconds(29));
      assertThatThrownBy(() -> apply(r, 3)).isInstanceOf(ProviderException.class);
      scheduler.advance(Duration.ofSeconds(1));
      apply(r, 4);
      assertThat(real.applied).containsExactly(op(1), op(4));
      assertThat(Faults.log(r).injections(FaultLog.Kind.OUTAGE))
          .extracting(FaultLog.Injection::at)
          .containsExactly(t0.plusSeconds(60), t0.plusSeconds(89));
    }
  }

  @Nested
  @DisplayName("virtual latency and hangs")
  class Blocking {
    @Test
    @DisplayName("latency blocks the caller until virtual time passes, then the call proceeds")
    void latency() throws Exception {
      Router r =
          Faults.router(real)
              .only("apply")
              .latency(Duration.ofMillis(300))
              .scheduler(scheduler)
              .clock(time)
              .build();
      FaultLog log = Faults.log(r);
      CompletableFuture<Void> call = CompletableFuture.runAsync(() -> apply(r, 1), callers);
      awaitBlocked(log, 1);
      scheduler.advance(Duration.ofMillis(299));
      assertThat(call).isNotDone();
      assertThat(real.applied).isEmpty();
      scheduler.advance(Duration.ofMillis(1));
      call.get(10, TimeUnit.SECONDS);
      assertThat(real.applied).containsExactly(op(1));
      assertThat(log.injections(FaultLog.Kind.DELAYED)).hasSize(1);
    }

    @Test
    @DisplayName(
        "a hang blocks until its virtual timeout, then fails without reaching the wrapped object")
    void hang() throws Exception {
      Router r =
          Faults.router(real)
              .only("apply")
              .hangNth(Duration.ofSeconds(30), 2)
              .scheduler(scheduler)
              .build();
      FaultLog log = Faults.log(r);
      apply(r, 1);
      CompletableFuture<Void> call = CompletableFuture.runAsync(() -> apply(r, 2), callers);
      awaitBlocked(log, 1);
      scheduler.advance(Duration.ofSeconds(29));
      assertThat(call).isNotDone();
      scheduler.advance(Duration.ofSeconds(1));
      assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(ProviderException.class)
          .hasMessageContaining("hung for PT30S");
      assertThat(real.applied).containsExactly(op(1));
      apply(r, 3);
      assertThat(real.applied).containsExactly(op(1), op(3));
    }

    @Test
    @DisplayName(
        "nonBlocking turns hangs and long latency into immediate timeouts, for inline provider calls")
    void nonBlocking() {
      Router hanging =
          Faults.router(real)
              .only("apply")
              .hangNth(Duration.ofMinutes(5), 1)
              .nonBlocking(Duration.ofSeconds(30))
              .build();
      assertThatThrownBy(() -> apply(hanging, 1))
          .isInstanceOfSatisfying(
              ProviderException.class,
              e -> {
                assertThat(e.retryable()).isTrue();
                assertThat(e.getMessage()).contains("timed out after PT30S (injected hang)");
              });
      apply(hanging, 2);
      Router slow =
          Faults.router(real)
              .only("apply")
              .latency(Duration.ofSeconds(30))
              .nonBlocking(Duration.ofSeconds(30))
              .build();
      assertThatThrownBy(() -> apply(slow, 3)).hasMessageContaining("injected latency of PT30S");
      Router bitSlow =
          Faults.router(real)
              .only("apply")
              .latency(Duration.ofSeconds(29))
              .nonBlocking(Duration.ofSeconds(30))
              .build();
      apply(bitSlow, 4);
      assertThat(real.applied).containsExactly(op(2), op(4));
      assertThat(Faults.log(bitSlow).injections(FaultLog.Kind.DELAYED)).hasSize(1);
      assertThat(Faults.log(hanging).injections(FaultLog.Kind.HUNG)).hasSize(1);
    }

    @Test
    @DisplayName("releaseAll frees calls that would otherwise wait forever for a stopped scheduler")
    void release() throws Exception {
      Router r = Faults.router(real).hang(Duration.ofHours(1)).scheduler(scheduler).build();
      FaultLog log = Faults.log(r);
      CompletableFuture<Void> a = CompletableFuture.runAsync(() -> apply(r, 1), callers);
      CompletableFuture<Void> b = CompletableFuture.runAsync(() -> apply(r, 2), callers);
      awaitBlocked(log, 2);
      log.releaseAll();
      assertThatThrownBy(() -> a.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(ProviderException.class);
      assertThatThrownBy(() -> b.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(ProviderException.class);
      assertThat(log.blocked()).isZero();
      assertThat(real.applied).isEmpty();
    }
  }

  @Nested
  @DisplayName("every SPI")
  class EverySpi {
    @Test
    @DisplayName("a health gate reports an ERROR verdict and keeps its name")
    void gate() {
      AtomicInteger evaluated = new AtomicInteger();
      HealthGate real =
          new HealthGate() {
            @Override
            public String name() {
              return "error-rate";
            }

            @Override
            public Verdict evaluate(io.cutover.spi.GateContext context) {
              evaluated.incrementAndGet();
              return Verdict.pass("fine");
            }
          };
      HealthGate g = Faults.healthGate(real).failNth(1).build();
      assertThat(g.name()).isEqualTo("error-rate");
      Verdict v = g.evaluate(null);
      assertThat(v.outcome()).isEqualTo(Verdict.Outcome.ERROR);
      assertThat(v.reasons()).anyMatch(s -> s.contains("gate:error-rate.evaluate failed"));
      assertThat(g.evaluate(null).outcome()).isEqualTo(Verdict.Outcome.PASS);
      assertThat(evaluated).hasValue(1);
    }

    @Test
    @DisplayName("a fleet fails the chosen operation only and forwards results")
    void fleet() {
      List<String> launched = Collections.synchronizedList(new ArrayList<>());
      Fleet real =
          new Fleet() {
            @Override
            public List<Instance> launch(OperationId op, Release release, int replicas) {
              launched.add(op.value());
              return List.of();
            }

            @Override
            public List<Instance> scale(OperationId op, Release release, int replicas) {
              return List.of();
            }

            @Override
            public void drain(OperationId op, Release release) {}

            @Override
            public void retire(OperationId op, Release release) {}

            @Override
            public List<Instance> instances(String service) {
              return List.of();
            }
          };
      Fleet f = Faults.fleet(real).only("launch").failNth(1).nonRetryable().build();
      Release rel = release();
      assertThatThrownBy(() -> f.launch(new OperationId("r/s0/launch"), rel, 2))
          .isInstanceOfSatisfying(
              ProviderException.class, e -> assertThat(e.retryable()).isFalse());
      f.retire(new OperationId("r/s9/retire"), rel);
      assertThat(f.launch(new OperationId("r/s0/launch"), rel, 2)).isEmpty();
      assertThat(launched).containsExactly("r/s0/launch");
      assertThat(Faults.log(f).calls()).isEqualTo(2);
    }

    @Test
    @DisplayName(
        "a metric source and a journal fail the Nth call; journal close always passes through")
    void metricsAndJournal() {
      MetricSource m = Faults.metricSource(q -> MetricResult.noData("none")).failNth(2).build();
      m.query(null);
      assertThatThrownBy(() -> m.query(null)).isInstanceOf(ProviderException.class);
      Journal j = Faults.journal(InMemoryJournal.create()).only("append").failNth(2).build();
      j.append(JournalRecord.of(Instant.EPOCH, "r", "s", JournalRecord.Type.STATE, null, "{}"));
      assertThatThrownBy(
              () ->
                  j.append(
                      JournalRecord.of(
                          Instant.EPOCH, "r", "s", JournalRecord.Type.STATE, null, "{}")))
          .isInstanceOfSatisfying(
              ProviderException.class, e -> assertThat(e.provider()).isEqualTo("journal"));
      assertThat(j.records("r")).hasSize(1);
      j.close();
      assertThat(Faults.log(j).calls()).isEqualTo(2);
    }
  }

  @Nested
  @DisplayName("bad settings")
  class Validation {
    @Test
    @DisplayName("are refused with the setting's name and a fix")
    void refused() {
      assertThatThrownBy(() -> Faults.router(real).only("aply"))
          .isInstanceOfSatisfying(
              InvalidSpecException.class,
              e -> assertThat(e.getMessage()).contains("faults.only").contains("[apply, current]"));
      assertThatThrownBy(() -> Faults.router(real).failNth(0))
          .isInstanceOf(InvalidSpecException.class);
      assertThatThrownBy(() -> Faults.router(real).failWithProbability(1.5, 1))
          .isInstanceOf(InvalidSpecException.class);
      Instant t = Instant.EPOCH;
      assertThatThrownBy(() -> Faults.router(real).outage(t, t))
          .isInstanceOf(InvalidSpecException.class);
      assertThatThrownBy(
              () ->
                  Faults.router(real)
                      .outage(t, t.plusSeconds(1))
                      .latency(Duration.ofSeconds(1))
                      .build())
          .isInstanceOfSatisfying(
              InvalidSpecException.class,
              e ->
                  assertThat(e.violations())
                      .extracting(InvalidSpecException.Violation::path)
                      .containsExactly("faults.clock", "faults.scheduler"));
      assertThatThrownBy(
              () ->
                  Faults.router(real)
                      .hang(Duration.ofSeconds(1))
                      .scheduler(scheduler)
                      .nonBlocking(Duration.ofSeconds(1))
                      .build())
          .hasMessageContaining("faults.nonBlocking");
      assertThatThrownBy(() -> Faults.log(real)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  private static Release release() {
    Digest d = Digest.parse("sha256:" + "ab".repeat(32));
    return Release.of("checkout", new ArtifactRef("registry/checkout", d), ConfigRef.EMPTY);
  }

  /** A router that records what it was asked to apply. */
  static final class RecordingRouter implements Router {
    final List<OperationId> applied = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void apply(
        OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
      applied.add(op);
    }

    @Override
    public Optional<TrafficSplit> current(String service) {
      return Optional.of(TrafficSplit.all("checkout-v1"));
    }
  }
}
