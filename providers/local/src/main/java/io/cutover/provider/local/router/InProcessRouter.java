// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.router;

import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.TrafficSplit;
import io.cutover.provider.support.AppliedOperations;
import io.cutover.spi.OperationId;
import io.cutover.spi.Router;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * The embedded default {@link Router}: routing happens inside the calling JVM, in an OkHttp {@link
 * Interceptor}, so no proxy is needed. Clients address a service by name ({@code
 * http://checkout/api/orders}); the interceptor picks a release by the service's current {@link
 * TrafficSplit} and an instance of it (round robin), and rewrites the request to that instance's
 * endpoint. Hosts that are not a routed service pass through untouched.
 *
 * <p><b>Choosing a release.</b> Match rules first (header or cookie equal to a value, in order).
 * Then the weights: a request that carries the sticky header or cookie (see {@link
 * Builder#stickyHeader} / {@link Builder#stickyCookie}) is placed by a hash of its value, so the
 * same user stays on the same release while the weights keep its bucket (A/B); any other request is
 * placed at random. A {@link TrafficSplit.Mirror} copies that share of requests without a body to
 * the mirror release in the background; the copies' answers are discarded and their failures
 * ignored.
 *
 * <p><b>Atomicity.</b> Each service's routing table is one immutable object behind an {@link
 * AtomicReference}: {@link #apply} swaps it in one write, so every request sees either the old
 * split or the new one. {@link #current} reads the table in effect, which here is the routing
 * system itself. Calls of {@link #apply} for one service are serialized: the staleness check of the
 * operation id, the swap and the record of the id happen as one step, so a late repeat of an older
 * operation can never replace a newer split.
 *
 * <p><b>Failures.</b> When connecting to an instance fails, an idempotent request (GET, HEAD,
 * OPTIONS, PUT, DELETE) is retried on the release's other instances; then the error reaches the
 * caller.
 *
 * <p><b>Threading.</b> Safe for concurrent use: any number of calls may run while splits are
 * applied.
 *
 * <p><b>Errors.</b> {@link #apply} refuses, with a non-retryable {@link ProviderException} and the
 * old split still in effect, a split that gives weight to a release without a READY instance with
 * an endpoint.
 */
public final class InProcessRouter implements Router {
  /** The provider name. */
  public static final String PROVIDER = "in-process";

  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");

  /** One release in a table: its cumulative upper bound in basis points and its endpoints. */
  private record Target(
      String releaseId, int upperBound, List<HttpUrl> endpoints, AtomicInteger next) {}

  /** A service's routing table; immutable except for round-robin counters. */
  private record Table(TrafficSplit split, List<Target> targets, Map<String, Target> byRelease) {
    Target forBucket(int bucket) {
      for (Target t : targets) {
        if (bucket < t.upperBound) {
          return t;
        }
      }
      return targets.get(targets.size() - 1);
    }
  }

  private final Map<String, AtomicReference<Table>> tables = new ConcurrentHashMap<>();
  private final Map<String, AppliedOperations> operations = new ConcurrentHashMap<>();
  private final @Nullable String stickyHeader;
  private final @Nullable String stickyCookie;

  /** Null for the default, {@link ThreadLocalRandom} (see {@link #nextRandom()}). */
  private final @Nullable IntSupplier random;

  private final AtomicLong mirrored = new AtomicLong();
  private final AtomicLong retried = new AtomicLong();
  private volatile @Nullable OkHttpClient mirrorClient;

  private InProcessRouter(Builder b) {
    this.stickyHeader = b.stickyHeader;
    this.stickyCookie = b.stickyCookie;
    this.random = b.random;
  }

  private int nextRandom() {
    IntSupplier r = random;
    return r != null ? r.getAsInt() : ThreadLocalRandom.current().nextInt();
  }

  /** A router without stickiness. */
  public static InProcessRouter create() {
    return builder().build();
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- Router

  @Override
  public void apply(
      OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
    Objects.requireNonNull(op, "op");
    split.validate();
    AppliedOperations log = operations.computeIfAbsent(service, k -> new AppliedOperations());
    // Check, build, swap and record as one step per service: otherwise a late call (a timed-out
    // attempt, an older engine) that passed the staleness check before a newer split was applied
    // would swap its older table in afterwards and be recorded as the latest operation.
    synchronized (log) {
      applyLocked(op, service, split, backends, log);
    }
  }

  private void applyLocked(
      OperationId op,
      String service,
      TrafficSplit split,
      Map<String, List<Instance>> backends,
      AppliedOperations log) {
    if (log.isStale(op)) {
      return;
    }
    List<Target> targets = new ArrayList<>();
    Map<String, Target> byRelease = new HashMap<>();
    int cumulative = 0;
    for (Map.Entry<String, Integer> e : split.weights().entrySet()) {
      List<HttpUrl> endpoints = new ArrayList<>();
      for (Instance i : backends.getOrDefault(e.getKey(), List.of())) {
        if (i.state() == InstanceState.READY && i.endpoint() != null) {
          endpoints.add(toUrl(i.endpoint(), service));
        }
      }
      if (e.getValue() > 0 && endpoints.isEmpty()) {
        throw ProviderException.permanent(
            PROVIDER,
            "route",
            "release "
                + e.getKey()
                + " of "
                + service
                + " has "
                + split.percent(e.getKey())
                + "% of traffic but no READY instance with an endpoint; the split in effect "
                + "is unchanged");
      }
      cumulative += e.getValue();
      Target t = new Target(e.getKey(), cumulative, List.copyOf(endpoints), new AtomicInteger());
      byRelease.put(e.getKey(), t);
      if (e.getValue() > 0) {
        targets.add(t);
      }
    }
    tables
        .computeIfAbsent(service, k -> new AtomicReference<>())
        .set(new Table(split, List.copyOf(targets), Map.copyOf(byRelease)));
    log.applied(op);
  }

  @Override
  public Optional<TrafficSplit> current(String service) {
    AtomicReference<Table> ref = tables.get(service);
    Table t = ref == null ? null : ref.get();
    return t == null ? Optional.empty() : Optional.of(t.split);
  }

  // ---------------------------------------------------------------- client side

  /**
   * The interceptor to add to an {@link OkHttpClient} with {@code addInterceptor} (an application
   * interceptor).
   */
  public Interceptor interceptor() {
    return this::intercept;
  }

  /**
   * A client derived from {@code base} (sharing its pools) that routes through this router;
   * mirrored copies are sent with the same client settings but without this router's interceptor.
   */
  public OkHttpClient client(OkHttpClient base) {
    if (mirrorClient == null) {
      mirrorClient = base;
    }
    return base.newBuilder().addInterceptor(interceptor()).build();
  }

  /** How many requests were copied to a mirror release. */
  public long mirroredRequests() {
    return mirrored.get();
  }

  /** How many times a request was retried on another instance after a connection failure. */
  public long retriedRequests() {
    return retried.get();
  }

  /** Forgets a service: its requests pass through untouched again. */
  public void remove(String service) {
    tables.remove(service);
  }

  private Response intercept(Interceptor.Chain chain) throws IOException {
    Request request = chain.request();
    AtomicReference<Table> ref = tables.get(request.url().host());
    Table table = ref == null ? null : ref.get();
    if (table == null) {
      return chain.proceed(request);
    }
    Target target = choose(table, request);
    maybeMirror(table, request);
    List<HttpUrl> endpoints = target.endpoints;
    int start = Math.floorMod(target.next.getAndIncrement(), endpoints.size());
    int attempts = IDEMPOTENT.contains(request.method()) ? endpoints.size() : 1;
    IOException last = null;
    for (int a = 0; a < attempts; a++) {
      HttpUrl endpoint = endpoints.get((start + a) % endpoints.size());
      Request routed = request.newBuilder().url(rewrite(request.url(), endpoint)).build();
      try {
        return chain.proceed(routed);
      } catch (ConnectException e) {
        last = e;
        if (a + 1 < attempts) {
          retried.incrementAndGet();
        }
      }
    }
    throw Objects.requireNonNull(last);
  }

  private Target choose(Table table, Request request) {
    for (TrafficSplit.MatchRule rule : table.split.rules()) {
      String value =
          rule.kind() == TrafficSplit.MatchRule.Kind.HEADER
              ? request.header(rule.name())
              : cookie(request, rule.name());
      if (rule.value().equals(value)) {
        Target t = table.byRelease.get(rule.releaseId());
        if (t != null && !t.endpoints.isEmpty()) {
          return t;
        }
      }
    }
    String key = null;
    if (stickyHeader != null) {
      key = request.header(stickyHeader);
    }
    if (key == null && stickyCookie != null) {
      key = cookie(request, stickyCookie);
    }
    int bucket = key == null ? Math.floorMod(nextRandom(), TrafficSplit.TOTAL) : bucketOf(key);
    return table.forBucket(bucket);
  }

  private void maybeMirror(Table table, Request request) {
    TrafficSplit.Mirror mirror = table.split.mirror();
    OkHttpClient client = mirrorClient;
    if (mirror == null
        || client == null
        || request.body() != null
        || Math.floorMod(nextRandom(), TrafficSplit.TOTAL) >= mirror.basisPoints()) {
      return;
    }
    Target t = table.byRelease.get(mirror.releaseId());
    if (t == null || t.endpoints.isEmpty()) {
      return;
    }
    HttpUrl endpoint = t.endpoints.get(Math.floorMod(t.next.getAndIncrement(), t.endpoints.size()));
    mirrored.incrementAndGet();
    client
        .newCall(request.newBuilder().url(rewrite(request.url(), endpoint)).build())
        .enqueue(
            new Callback() {
              @Override
              public void onFailure(Call call, IOException e) {
                // A mirror never affects the caller: its failures are dropped on purpose.
              }

              @Override
              public void onResponse(Call call, Response response) {
                response.close();
              }
            });
  }

  /** A stable bucket in [0, 10000) for a sticky key: FNV-1a, so it is the same in every JVM. */
  static int bucketOf(String key) {
    int h = 0x811c9dc5;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x01000193;
    }
    return Math.floorMod(h, TrafficSplit.TOTAL);
  }

  private static @Nullable String cookie(Request request, String name) {
    for (String header : request.headers("Cookie")) {
      for (String part : header.split(";")) {
        int eq = part.indexOf('=');
        if (eq > 0 && part.substring(0, eq).trim().equals(name)) {
          return part.substring(eq + 1).trim();
        }
      }
    }
    return null;
  }

  private static HttpUrl rewrite(HttpUrl url, HttpUrl endpoint) {
    return url.newBuilder()
        .scheme(endpoint.scheme())
        .host(endpoint.host())
        .port(endpoint.port())
        .build();
  }

  private static HttpUrl toUrl(URI endpoint, String service) {
    HttpUrl url = HttpUrl.parse(endpoint.toString());
    if (url == null) {
      throw new InvalidSpecException(
          "backends." + service,
          "endpoint '" + endpoint + "' is not an http(s) URL",
          "give instances endpoints such as http://127.0.0.1:8080");
    }
    return url;
  }

  /** Builds an {@link InProcessRouter}. Not thread-safe. */
  public static final class Builder {
    private @Nullable String stickyHeader;
    private @Nullable String stickyCookie;
    // Null for ThreadLocalRandom: a default lambda here was the first lambda a fresh JVM linked
    // when building an engine with this router (milliseconds, interpreted).
    private @Nullable IntSupplier random;

    private Builder() {}

    /** Places requests that carry this header by a hash of its value (sticky A/B). */
    public Builder stickyHeader(String name) {
      this.stickyHeader = requireName(name, "stickyHeader").toLowerCase(Locale.ROOT);
      return this;
    }

    /** Places requests that carry this cookie by a hash of its value (sticky A/B). */
    public Builder stickyCookie(String name) {
      this.stickyCookie = requireName(name, "stickyCookie");
      return this;
    }

    /**
     * The source of random placement; default {@link ThreadLocalRandom}. For deterministic tests.
     */
    public Builder random(IntSupplier random) {
      this.random = Objects.requireNonNull(random);
      return this;
    }

    /** Builds the router. */
    public InProcessRouter build() {
      return new InProcessRouter(this);
    }

    private static String requireName(@Nullable String name, String field) {
      if (name == null || name.isBlank()) {
        throw new InvalidSpecException(field, "is blank", "name the header or cookie");
      }
      return name;
    }
  }
}
