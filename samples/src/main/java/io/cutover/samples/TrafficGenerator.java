// SPDX-License-Identifier: Apache-2.0
package io.cutover.samples;

import io.cutover.api.InvalidSpecException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * Open-loop HTTP load at a fixed rate: every tick of the injected scheduler sends the requests due
 * since the last tick, asynchronously, so a slow server cannot slow the offered load down (no
 * coordinated omission). If the generator itself stalls (a starved machine), requests more than 100
 * ms overdue are skipped and counted ({@link #skipped}) instead of being fired as one burst. Each
 * response's release is read from its {@code X-Release} header; the {@link Listener} hears about
 * every outcome, and {@link #stats} counts them.
 *
 * <p>A share of requests carries {@code Connection: close} and so opens a new connection; the rest
 * reuse keep-alive connections. With {@link Builder#retries} an idempotent request that fails on
 * the connection level is retried that many times with exponential back-off (25 ms, 50 ms, 100 ms,
 * ...) before it counts as failed (the client-side retry an NGINX reload calls for).
 *
 * <p>Used by {@code cutover demo} and the integration tests. Thread-safe; {@link #stop} waits for
 * nothing: late responses are still counted.
 */
public final class TrafficGenerator implements AutoCloseable {

  /** Hears about every request outcome, on OkHttp's threads. Must be fast and must not throw. */
  @FunctionalInterface
  public interface Listener {
    /**
     * @param release the {@code X-Release} of the response, or null if there was no response
     * @param status the HTTP status, or -1 for a connection-level failure
     * @param sent when the request was sent
     * @param latency how long it took
     */
    void onResult(@Nullable String release, int status, Instant sent, Duration latency);
  }

  /**
   * Counts since start.
   *
   * @param sent requests sent
   * @param completed responses received (any status)
   * @param failed requests without a response (connection refused, reset, timeout) after retries
   * @param serverErrors responses with status 5xx
   * @param byRelease responses per {@code X-Release}
   * @param retried connection-level retries performed
   */
  public record Stats(
      long sent,
      long completed,
      long failed,
      long serverErrors,
      Map<String, Long> byRelease,
      long retried) {}

  private final OkHttpClient client;
  private final Request keepAlive;
  private final Request close;
  private final int perSecond;
  private final double newConnectionShare;
  private final ScheduledExecutorService scheduler;
  private final InstantSource clock;
  private final Listener listener;
  private final AtomicLong sent = new AtomicLong();
  private final LongAdder completed = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder serverErrors = new LongAdder();
  private final LongAdder retried = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private final int retries;
  private final Map<String, LongAdder> byRelease = new ConcurrentHashMap<>();
  // Idle connections are dropped before a proxy (HAProxy: 10 s, NGINX: 75 s) would close them under
  // us.
  private volatile @Nullable ScheduledFuture<?> ticker;
  private @Nullable Instant started;
  private long closeCounter;

  private TrafficGenerator(Builder b) {
    this.perSecond = b.perSecond;
    this.newConnectionShare = b.newConnectionShare;
    this.scheduler = b.scheduler;
    this.clock = b.clock;
    this.listener = b.listener;
    this.retries = b.retries;
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(512);
    dispatcher.setMaxRequestsPerHost(512);
    OkHttpClient.Builder cb =
        b.base
            .newBuilder()
            .dispatcher(dispatcher)
            .connectionPool(new ConnectionPool(64, 5, TimeUnit.SECONDS))
            .retryOnConnectionFailure(b.retries > 0)
            .connectTimeout(Duration.ofSeconds(2))
            .readTimeout(Duration.ofSeconds(10));
    this.client = cb.build();
    this.keepAlive = new Request.Builder().url(b.url).build();
    this.close = keepAlive.newBuilder().header("Connection", "close").build();
  }

  /** A builder sending {@code GET url}. */
  public static Builder builder(
      String url, ScheduledExecutorService scheduler, InstantSource clock) {
    return new Builder(url, scheduler, clock);
  }

  /** Starts sending. */
  public synchronized TrafficGenerator start() {
    if (ticker != null) {
      throw new IllegalStateException("already started");
    }
    started = clock.instant();
    ticker = scheduler.scheduleAtFixedRate(this::tick, 0, 5, TimeUnit.MILLISECONDS);
    return this;
  }

  /** Stops sending; responses in flight are still counted. */
  public synchronized void stop() {
    ScheduledFuture<?> t = ticker;
    if (t != null) {
      t.cancel(false);
    }
  }

  /** Counts so far. */
  public Stats stats() {
    Map<String, Long> releases = new TreeMap<>();
    byRelease.forEach((k, v) -> releases.put(k, v.sum()));
    return new Stats(
        sent.get(), completed.sum(), failed.sum(), serverErrors.sum(), releases, retried.sum());
  }

  /** Requests not sent because the generator itself fell more than 100 ms behind its schedule. */
  public long skipped() {
    return skipped.sum();
  }

  /** Requests sent or answered but not yet finished. */
  public long inFlight() {
    return sent.get() - completed.sum() - failed.sum();
  }

  /** The client in use (with its retries), e.g. to send requests of your own. */
  public OkHttpClient client() {
    return client;
  }

  /** Stops sending and releases the client's threads and connections. */
  @Override
  public void close() {
    stop();
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  private void tick() {
    Instant t0 = Objects.requireNonNull(started);
    Instant now = clock.instant();
    long due = Duration.between(t0, now).toNanos() * perSecond / 1_000_000_000L;
    // After a stall of the generator itself (a starved machine), requests more than 100 ms overdue
    // are
    // skipped rather than sent as one burst that would measure the burst instead of the system.
    long maxBacklog = Math.max(1, perSecond / 10);
    long behind = due - sent.get() - skipped.sum();
    if (behind > maxBacklog) {
      skipped.add(behind - maxBacklog);
    }
    while (sent.get() + skipped.sum() < due) {
      sent.incrementAndGet();
      boolean fresh =
          newConnectionShare > 0
              && (closeCounter++ % Math.max(1, Math.round(1 / newConnectionShare))) == 0;
      send(fresh ? close : keepAlive);
    }
  }

  private void send(Request request) {
    send(request, clock.instant(), 0);
  }

  /**
   * Sends one attempt. A connection-level failure of a GET with attempts left is sent again after
   * 25 ms x 2^attempt on the scheduler (a reload's window of closing connections passes; nothing
   * sleeps). Back-off doubles because that window grows with the machine's load: a linear 25/50/75
   * ms gave up on 2 of 49,000 requests at load average 12 on 2 cores.
   */
  private void send(Request request, Instant at, int attempt) {
    client
        .newCall(request)
        .enqueue(
            new Callback() {
              @Override
              public void onFailure(Call call, IOException e) {
                if (attempt < retries && request.method().equals("GET")) {
                  retried.increment();
                  scheduler.schedule(
                      () -> send(request, at, attempt + 1),
                      25L << Math.min(attempt, 10),
                      TimeUnit.MILLISECONDS);
                  return;
                }
                failed.increment();
                listener.onResult(null, -1, at, Duration.between(at, clock.instant()));
              }

              @Override
              public void onResponse(Call call, Response response) {
                try (response) {
                  response.body().source().skip(Long.MAX_VALUE);
                } catch (IOException | IllegalStateException e) {
                  // The status arrived; the rest of a tiny body does not change the outcome.
                }
                String release = response.header("X-Release");
                completed.increment();
                if (response.code() >= 500) {
                  serverErrors.increment();
                }
                if (release != null) {
                  byRelease.computeIfAbsent(release, k -> new LongAdder()).increment();
                }
                listener.onResult(
                    release, response.code(), at, Duration.between(at, clock.instant()));
              }
            });
  }

  /** Builds a {@link TrafficGenerator}. Not thread-safe. */
  public static final class Builder {
    private final String url;
    private final ScheduledExecutorService scheduler;
    private final InstantSource clock;
    private int perSecond = 100;
    private double newConnectionShare = 0.1;
    private int retries;
    private OkHttpClient base = new OkHttpClient();
    private Listener listener = (r, s, t, l) -> {};

    private Builder(String url, ScheduledExecutorService scheduler, InstantSource clock) {
      this.url = Objects.requireNonNull(url);
      this.scheduler = Objects.requireNonNull(scheduler);
      this.clock = Objects.requireNonNull(clock);
    }

    /** Requests per second; default 100. */
    public Builder rate(int perSecond) {
      if (perSecond < 1 || perSecond > 100_000) {
        throw new InvalidSpecException(
            "rate", "is " + perSecond, "use 1..100000 requests per second");
      }
      this.perSecond = perSecond;
      return this;
    }

    /**
     * Share of requests sent with {@code Connection: close} (a new connection each); default 0.1.
     */
    public Builder newConnectionShare(double share) {
      if (share < 0 || share > 1) {
        throw new InvalidSpecException("newConnectionShare", "is " + share, "use 0..1");
      }
      this.newConnectionShare = share;
      return this;
    }

    /** Connection-level retries of idempotent requests; default 0 (every failure counts). */
    public Builder retries(int retries) {
      if (retries < 0) {
        throw new InvalidSpecException("retries", "is " + retries, "use 0 or more");
      }
      this.retries = retries;
      return this;
    }

    /**
     * The client to derive from (e.g. one routed by the in-process router); default a plain client.
     */
    public Builder client(OkHttpClient base) {
      this.base = Objects.requireNonNull(base);
      return this;
    }

    /** Hears about every outcome. */
    public Builder listener(Listener listener) {
      this.listener = Objects.requireNonNull(listener);
      return this;
    }

    /** Builds the generator (not started). */
    public TrafficGenerator build() {
      return new TrafficGenerator(this);
    }
  }
}
