// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.api.TrafficSplit;
import io.cutover.spi.OperationId;
import io.cutover.spi.Router;
import java.net.URI;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Router}: a split applied is the split read back (exactly: the same weight
 * map, releases at weight 0 included and releases no longer named dropped, the same match rules in
 * the same order, the same mirror), services are independent, operation ids are idempotent, match
 * rules and mirrors are applied or refused whole, and a failed apply leaves the previous split in
 * effect. The kit is as strict as the engine, which accepts a route only when {@link
 * Router#current} reads back what it applied and aborts the rollout otherwise (a router that drops
 * a blue/green preview at weight 0 would pass a laxer kit and then abort every preview).
 *
 * <p><b>Capabilities a router must declare.</b> A router that cannot do something the engine may
 * ask of it declares so by overriding, and the kit then checks that it refuses such a split whole
 * (non-retryable {@link ProviderException}, previous split still in effect) instead of dropping
 * part of it: {@link #supportsMatchRules()} and {@link #supportsMirror()} (false by default:
 * declare true if the router applies them) and {@link #supportsFractionalWeights()} (true by
 * default: declare false for a router that can only switch all traffic). The rules are written down
 * in {@link Router}'s Javadoc.
 *
 * <p>Extend it and implement {@link #createRouter()}. Routers that talk to real backends override
 * {@link #backend(Release, int)} to point at real listeners ({@link EchoBackends} gives listeners
 * that answer with their release id); if they also override {@link #sendRequests(String, int)}, the
 * kit checks that traffic follows the split, not only the read-back. Routers that apply match rules
 * or mirrors override {@link #supportsMatchRules()} / {@link #supportsMirror()} (otherwise the kit
 * checks that they refuse them). Routers that can be made to fail override {@link
 * #arrangeNextApplyFailure(Router)} to enable the failure tests, which are skipped otherwise.
 *
 * <pre>{@code
 * class MyRouterContractTest extends RouterContract {
 *   protected Router createRouter() { return new MyRouter(...); }
 * }
 * }</pre>
 */
@DisplayName("Router contract")
@DisplayNameGeneration(KitDisplayNames.class)
public abstract class RouterContract {

  private final String run = KitSupport.runId();
  private @Nullable Router router;
  private int ops;

  /** A router with no split applied for the kit's services. Called once before each test. */
  protected abstract Router createRouter();

  /**
   * Arranges that the very next {@link Router#apply} call of {@code router}, whatever its service,
   * fails with a {@link ProviderException} the way it can fail in production (the routing system
   * unreachable, a configuration it rejects, backends that are gone), and that every apply after it
   * succeeds again: the failure happens <b>exactly once</b>. Returns false (the default) if the
   * router cannot be made to fail, which skips the failure tests.
   *
   * <p>The kit calls it right before one apply for one service (the failure tests' {@code fail-}
   * and {@code retry-} services), never while another test's applies run, so a failure armed for
   * "the next apply" hits that apply; it then applies the same operation id again and expects it to
   * succeed. A failure that stays armed for a second apply fails the retry test.
   */
  protected boolean arrangeNextApplyFailure(Router router) {
    return false;
  }

  /**
   * Whether the router applies {@link TrafficSplit.MatchRule}s. If true, a split with rules must be
   * read back with its rules; if false (the default), applying one must fail with a non-retryable
   * {@link ProviderException} and leave the previous split in effect: a router never drops rules
   * silently.
   */
  protected boolean supportsMatchRules() {
    return false;
  }

  /** Like {@link #supportsMatchRules()}, for a {@link TrafficSplit.Mirror}. */
  protected boolean supportsMirror() {
    return false;
  }

  /**
   * Whether the router can give two releases traffic at once (10 %/90 %). True (the default) for
   * weighted routers; a router that can only switch all traffic from one release to another (a
   * Kubernetes Service selector, a DNS name) returns false: the kit then rounds every split it
   * applies to 0 %/100 % (a canary share below 50 % to 0 %, the rest to 100 %) and checks that a
   * fractional split is refused whole, with a non-retryable {@link ProviderException}.
   */
  protected boolean supportsFractionalWeights() {
    return true;
  }

  /**
   * Sends {@code requests} requests for {@code service} through the routing system and counts them
   * by the release whose backend answered; empty (the default) if the test cannot send traffic,
   * which skips the traffic checks. A test that overrides it also overrides {@link
   * #backend(Release, int)} so that every backend tells its release, e.g. with {@link
   * EchoBackends}.
   *
   * @throws Exception if a request fails
   */
  protected Optional<Map<String, Integer>> sendRequests(String service, int requests)
      throws Exception {
    return Optional.empty();
  }

  /** A service name unique to this test; {@code name} tells services of one test apart. */
  protected String service(String name) {
    return name + "-" + run;
  }

  /** The stable release of a service. */
  protected Release stable(String service) {
    return KitSupport.release(service, "stable");
  }

  /** The canary release of a service. */
  protected Release canary(String service) {
    return KitSupport.release(service, "canary");
  }

  /** The {@code index}th READY backend of a release; by default at a made-up loopback port. */
  protected Instance backend(Release release, int index) {
    return new Instance(
        release.id() + "-" + index,
        release.id(),
        URI.create("http://127.0.0.1:" + (20_000 + index)),
        InstanceState.READY,
        release.artifact().digest());
  }

  @BeforeEach
  void createTheRouter() {
    router = createRouter();
    assertThat(router).as("createRouter()").isNotNull();
  }

  /** The router under test. */
  protected final Router router() {
    if (router == null) {
      throw new IllegalStateException("no router: createRouter() runs before each test");
    }
    return router;
  }

  private OperationId nextOp(String service) {
    return new OperationId("r-" + service + "/s" + (ops++) + "/route");
  }

  /** Two backends for every release with weight or named by a rule or the mirror. */
  private Map<String, List<Instance>> backends(String service, TrafficSplit split) {
    Set<String> targets = new HashSet<>();
    split.rules().forEach(r -> targets.add(r.releaseId()));
    if (split.mirror() != null) {
      targets.add(split.mirror().releaseId());
    }
    Map<String, List<Instance>> out = new LinkedHashMap<>();
    for (Release r : List.of(stable(service), canary(service))) {
      if (split.weight(r.id()) > 0 || targets.contains(r.id())) {
        out.put(r.id(), List.of(backend(r, 1), backend(r, 2)));
      }
    }
    return out;
  }

  private TrafficSplit canarySplit(String service, int canaryBasisPoints) {
    int bp = canaryBasisPoints;
    if (!supportsFractionalWeights()) {
      bp = bp < TrafficSplit.TOTAL / 2 ? 0 : TrafficSplit.TOTAL;
    }
    return TrafficSplit.of(stable(service).id(), canary(service).id(), bp);
  }

  private void apply(OperationId op, String service, TrafficSplit split) {
    router().apply(op, service, split, backends(service, split));
  }

  /**
   * The split read back is the one applied: the same releases (zero weights too), weights, rules
   * and mirror.
   */
  private void assertInEffect(String service, TrafficSplit expected) {
    Optional<TrafficSplit> current = router().current(service);
    assertThat(current).as("split in effect for %s", service).isPresent();
    assertThat(current.get().weights())
        .as("weights read back for %s, zero weights included", service)
        .isEqualTo(expected.weights());
    assertThat(current.get().rules())
        .as("match rules read back for %s", service)
        .isEqualTo(expected.rules());
    assertThat(current.get().mirror())
        .as("mirror read back for %s", service)
        .isEqualTo(expected.mirror());
  }

  /**
   * Traffic sent through the router follows {@code expected} (when the test can send traffic):
   * every release's share within 10 percentage points of its weight (the failure tests tell 10 %
   * from 90 %; more than four standard deviations for a router that places requests at random), and
   * none for a release without weight.
   */
  private void assertTrafficFollows(String service, TrafficSplit expected) throws Exception {
    int requests = 200;
    Optional<Map<String, Integer>> counts = sendRequests(service, requests);
    if (counts.isEmpty()) {
      return;
    }
    Map<String, Integer> seen = counts.get();
    assertThat(seen.values().stream().mapToInt(Integer::intValue).sum())
        .as("answered requests of %s", service)
        .isEqualTo(requests);
    Set<String> ids = new HashSet<>(expected.releaseIds());
    ids.addAll(seen.keySet());
    for (String id : ids) {
      int count = seen.getOrDefault(id, 0);
      if (expected.weight(id) == 0) {
        assertThat(count)
            .as("requests of %s answered by %s, which has no weight in %s", service, id, expected)
            .isZero();
      } else {
        assertThat(count * 100.0 / requests)
            .as(
                "%% of the requests of %s answered by %s (split %s, seen %s)",
                service, id, expected, seen)
            .isCloseTo(expected.percent(id), Offset.offset(10.0));
      }
    }
  }

  @Nested
  @KitGroup("applying splits")
  class Applying {
    @Test
    @DisplayName("reads back the split it applied")
    void readBack() {
      String s = service("read");
      TrafficSplit split = canarySplit(s, 1_000);
      apply(nextOp(s), s, split);
      assertInEffect(s, split);
    }

    @Test
    @DisplayName("reads back every step of a canary progression, ending at 100 %")
    void progression() {
      String s = service("steps");
      for (int bp : new int[] {0, 500, 2_500, 5_000, 10_000}) {
        TrafficSplit split = canarySplit(s, bp);
        apply(nextOp(s), s, split);
        assertInEffect(s, split);
      }
    }

    @Test
    @DisplayName("routes nothing for a service it was never given a split for")
    void unknownService() {
      assertThat(router().current(service("never"))).isEmpty();
    }

    @Test
    @DisplayName("keeps the splits of different services independent")
    void independentServices() {
      String a = service("one");
      String b = service("two");
      apply(nextOp(a), a, canarySplit(a, 2_000));
      apply(nextOp(b), b, TrafficSplit.all(stable(b).id()));
      apply(nextOp(a), a, canarySplit(a, 7_000));
      assertInEffect(a, canarySplit(a, 7_000));
      assertInEffect(b, TrafficSplit.all(stable(b).id()));
    }

    @Test
    @DisplayName(
        "applies a 10 % split exactly, or refuses it whole if the router supports only 0 % / 100 %")
    void fractionalAppliedOrRefused() {
      String s = service("whole");
      TrafficSplit before = TrafficSplit.all(stable(s).id());
      apply(nextOp(s), s, before);
      TrafficSplit fractional = TrafficSplit.of(stable(s).id(), canary(s).id(), 1_000);
      OperationId op = nextOp(s);
      if (supportsFractionalWeights()) {
        apply(op, s, fractional);
        assertInEffect(s, fractional);
        return;
      }
      assertThatThrownBy(() -> apply(op, s, fractional))
          .as("a router that supports only 0 %% / 100 %% refuses %s", fractional)
          .isInstanceOfSatisfying(
              ProviderException.class,
              e ->
                  assertThat(e.retryable())
                      .as("retryable() of a refusal that no retry can change")
                      .isFalse());
      assertInEffect(s, before);
    }

    @Test
    @DisplayName("drops a release from the read-back once the split no longer names it")
    void droppedRelease() {
      String s = service("drop");
      apply(nextOp(s), s, canarySplit(s, 5_000));
      TrafficSplit promoted = TrafficSplit.all(canary(s).id());
      apply(nextOp(s), s, promoted);
      assertInEffect(s, promoted);
    }

    @Test
    @DisplayName("reads back a release at weight 0 that has backends (a blue/green preview)")
    void zeroWeightWithBackends() {
      String s = service("preview");
      TrafficSplit split = TrafficSplit.of(stable(s).id(), canary(s).id(), 0);
      router()
          .apply(
              nextOp(s),
              s,
              split,
              Map.of(
                  stable(s).id(),
                  List.of(backend(stable(s), 1)),
                  canary(s).id(),
                  List.of(backend(canary(s), 1))));
      assertInEffect(s, split);
    }

    @Test
    @DisplayName("accepts a release at weight 0 that has no backends")
    void zeroWeightWithoutBackends() {
      String s = service("zero");
      TrafficSplit split = canarySplit(s, 0);
      router().apply(nextOp(s), s, split, Map.of(stable(s).id(), List.of(backend(stable(s), 1))));
      assertInEffect(s, split);
    }
  }

  @Nested
  @KitGroup("idempotency by operation id")
  class Idempotency {
    @Test
    @DisplayName("repeating the last operation id leaves its split in effect")
    void repeatLast() {
      String s = service("repeat");
      OperationId op = nextOp(s);
      TrafficSplit split = canarySplit(s, 3_000);
      apply(op, s, split);
      apply(op, s, split);
      assertInEffect(s, split);
    }

    @Test
    @DisplayName("a repeated operation id never undoes a later split")
    void staleRepeat() {
      String s = service("stale");
      OperationId first = nextOp(s);
      apply(first, s, canarySplit(s, 1_000));
      apply(nextOp(s), s, canarySplit(s, 5_000));
      apply(first, s, canarySplit(s, 1_000));
      assertInEffect(s, canarySplit(s, 5_000));
    }

    @Test
    @DisplayName("applying the split already in effect under a new id keeps it in effect")
    void sameSplitNewId() {
      String s = service("same");
      TrafficSplit split = canarySplit(s, 2_500);
      apply(nextOp(s), s, split);
      apply(nextOp(s), s, split);
      assertInEffect(s, split);
    }
  }

  @Nested
  @KitGroup("match rules and mirrors")
  class RulesAndMirrors {
    @Test
    @DisplayName(
        "a split with header and cookie rules is read back with its rules, or refused whole")
    void rules() {
      String s = service("rules");
      TrafficSplit before = canarySplit(s, 1_000);
      apply(nextOp(s), s, before);
      String canary = canary(s).id();
      TrafficSplit withRules =
          TrafficSplit.builder()
              .weight(stable(s).id(), TrafficSplit.TOTAL)
              .weight(canary, 0)
              .rule(
                  new TrafficSplit.MatchRule(
                      TrafficSplit.MatchRule.Kind.HEADER, "x-preview", "on", canary))
              .rule(
                  new TrafficSplit.MatchRule(
                      TrafficSplit.MatchRule.Kind.COOKIE, "beta", "yes", canary))
              .build();
      appliedOrRefusedWhole(s, before, withRules, supportsMatchRules());
    }

    @Test
    @DisplayName("a split with a mirror is read back with its mirror, or refused whole")
    void mirror() {
      String s = service("mirror");
      TrafficSplit before = canarySplit(s, 1_000);
      apply(nextOp(s), s, before);
      TrafficSplit withMirror =
          TrafficSplit.builder()
              .weight(stable(s).id(), TrafficSplit.TOTAL)
              .weight(canary(s).id(), 0)
              .mirror(new TrafficSplit.Mirror(canary(s).id(), 2_500))
              .build();
      appliedOrRefusedWhole(s, before, withMirror, supportsMirror());
    }

    @Test
    @DisplayName("a split without rules or mirror clears the ones applied before (if supported)")
    void cleared() {
      String s = service("clear");
      String canary = canary(s).id();
      TrafficSplit.Builder b =
          TrafficSplit.builder().weight(stable(s).id(), TrafficSplit.TOTAL).weight(canary, 0);
      if (supportsMatchRules()) {
        b.rule(
            new TrafficSplit.MatchRule(
                TrafficSplit.MatchRule.Kind.HEADER, "x-preview", "on", canary));
      }
      if (supportsMirror()) {
        b.mirror(new TrafficSplit.Mirror(canary, 1_000));
      }
      TrafficSplit with = b.build();
      apply(nextOp(s), s, with);
      assertInEffect(s, with);
      TrafficSplit without = canarySplit(s, 0);
      apply(nextOp(s), s, without);
      assertInEffect(s, without);
    }

    private void appliedOrRefusedWhole(
        String s, TrafficSplit before, TrafficSplit split, boolean supported) {
      OperationId op = nextOp(s);
      if (supported) {
        apply(op, s, split);
        assertInEffect(s, split);
        return;
      }
      assertThatThrownBy(() -> apply(op, s, split))
          .as("a router that cannot apply %s refuses it", split)
          .isInstanceOfSatisfying(
              ProviderException.class,
              e ->
                  assertThat(e.retryable())
                      .as("retryable() of a refusal that no retry can change")
                      .isFalse());
      assertInEffect(s, before);
    }
  }

  @Nested
  @KitGroup("after failures (routers that implement arrangeNextApplyFailure)")
  class AfterFailures {
    @Test
    @DisplayName("a failed apply throws ProviderException and leaves the previous split in effect")
    void previousSplitStays() throws Exception {
      String s = service("fail");
      TrafficSplit before = canarySplit(s, 1_000);
      apply(nextOp(s), s, before);
      assertTrafficFollows(s, before);
      assumeTrue(arrangeNextApplyFailure(router()), "the router under test cannot be made to fail");

      OperationId op = nextOp(s);
      assertThatThrownBy(() -> apply(op, s, canarySplit(s, 9_000)))
          .isInstanceOf(ProviderException.class);
      assertInEffect(s, before);
      assertTrafficFollows(s, before);
    }

    @Test
    @DisplayName("retrying the failed operation id afterwards applies its split")
    void retryApplies() throws Exception {
      String s = service("retry");
      apply(nextOp(s), s, canarySplit(s, 1_000));
      assumeTrue(arrangeNextApplyFailure(router()), "the router under test cannot be made to fail");

      OperationId op = nextOp(s);
      TrafficSplit after = canarySplit(s, 9_000);
      assertThatThrownBy(() -> apply(op, s, after)).isInstanceOf(ProviderException.class);
      apply(op, s, after);
      assertInEffect(s, after);
      assertTrafficFollows(s, after);
    }
  }

  @Nested
  @KitGroup("concurrency")
  class Concurrency {
    @Test
    @DisplayName("concurrent applies to 8 different services each take effect")
    void concurrentServices() throws Exception {
      KitSupport.concurrently(
          8,
          t -> {
            String s = service("par" + t);
            for (int step = 1; step <= 5; step++) {
              router()
                  .apply(
                      new OperationId("r-" + s + "/s" + step + "/route"),
                      s,
                      canarySplit(s, step * 1_000),
                      backends(s, canarySplit(s, step * 1_000)));
            }
            return s;
          });
      for (int t = 0; t < 8; t++) {
        assertInEffect(service("par" + t), canarySplit(service("par" + t), 5_000));
      }
    }
  }
}
