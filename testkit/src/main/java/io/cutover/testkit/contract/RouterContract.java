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
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Router}: a split applied is the split read back, services are independent,
 * operation ids are idempotent, and a failed apply leaves the previous split in effect.
 *
 * <p>Extend it and implement {@link #createRouter()}. Routers that talk to real backends override
 * {@link #backend(Release, int)} to point at real listeners; routers with coarse weights (HAProxy's 0-256)
 * override {@link #weightTolerance()}; routers that can be made to fail once override
 * {@link #arrangeNextApplyFailure(Router)} to enable the failure tests, which are skipped otherwise.
 *
 * <pre>{@code
 * class MyRouterContractTest extends RouterContract {
 *   protected Router createRouter() { return new MyRouter(...); }
 * }
 * }</pre>
 */
@DisplayName("Router contract")
public abstract class RouterContract {

  private final String run = KitSupport.runId();
  private @Nullable Router router;
  private int ops;

  /** A router with no split applied for the kit's services. Called once before each test. */
  protected abstract Router createRouter();

  /**
   * Arranges that the next {@link Router#apply} of {@code router} fails with a {@link ProviderException};
   * returns false (the default) if the router cannot be made to fail, which skips the failure tests.
   */
  protected boolean arrangeNextApplyFailure(Router router) {
    return false;
  }

  /** How far, in basis points, a weight read back may be from the one applied; 0 by default. */
  protected int weightTolerance() {
    return 0;
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
    return new Instance(release.id() + "-" + index, release.id(), URI.create("http://127.0.0.1:" + (20_000 + index)),
        InstanceState.READY, release.artifact().digest());
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

  private Map<String, List<Instance>> backends(String service, TrafficSplit split) {
    Map<String, List<Instance>> out = new LinkedHashMap<>();
    for (Release r : List.of(stable(service), canary(service))) {
      if (split.weight(r.id()) > 0) {
        out.put(r.id(), List.of(backend(r, 1), backend(r, 2)));
      }
    }
    return out;
  }

  private TrafficSplit canarySplit(String service, int canaryBasisPoints) {
    return TrafficSplit.of(stable(service).id(), canary(service).id(), canaryBasisPoints);
  }

  private void apply(OperationId op, String service, TrafficSplit split) {
    router().apply(op, service, split, backends(service, split));
  }

  private void assertInEffect(String service, TrafficSplit expected) {
    Optional<TrafficSplit> current = router().current(service);
    assertThat(current).as("split in effect for %s", service).isPresent();
    Set<String> ids = new HashSet<>(expected.releaseIds());
    ids.addAll(current.get().releaseIds());
    for (String id : ids) {
      assertThat(current.get().weight(id)).as("weight of %s in %s (expected %s)", id, current.get(), expected)
          .isCloseTo(expected.weight(id), org.assertj.core.data.Offset.offset(weightTolerance()));
    }
  }

  @Nested
  @DisplayName("applying splits")
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
    @DisplayName("accepts a release at weight 0 that has no backends")
    void zeroWeightWithoutBackends() {
      String s = service("zero");
      TrafficSplit split = canarySplit(s, 0);
      router().apply(nextOp(s), s, split, Map.of(stable(s).id(), List.of(backend(stable(s), 1))));
      assertInEffect(s, split);
    }
  }

  @Nested
  @DisplayName("idempotency by operation id")
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
  @DisplayName("after failures (routers that implement arrangeNextApplyFailure)")
  class AfterFailures {
    @Test
    @DisplayName("a failed apply throws ProviderException and leaves the previous split in effect")
    void previousSplitStays() {
      String s = service("fail");
      TrafficSplit before = canarySplit(s, 1_000);
      apply(nextOp(s), s, before);
      assumeTrue(arrangeNextApplyFailure(router()), "the router under test cannot be made to fail");

      OperationId op = nextOp(s);
      assertThatThrownBy(() -> apply(op, s, canarySplit(s, 9_000))).isInstanceOf(ProviderException.class);
      assertInEffect(s, before);
    }

    @Test
    @DisplayName("retrying the failed operation id afterwards applies its split")
    void retryApplies() {
      String s = service("retry");
      apply(nextOp(s), s, canarySplit(s, 1_000));
      assumeTrue(arrangeNextApplyFailure(router()), "the router under test cannot be made to fail");

      OperationId op = nextOp(s);
      TrafficSplit after = canarySplit(s, 9_000);
      assertThatThrownBy(() -> apply(op, s, after)).isInstanceOf(ProviderException.class);
      apply(op, s, after);
      assertInEffect(s, after);
    }
  }

  @Nested
  @DisplayName("concurrency")
  class Concurrency {
    @Test
    @DisplayName("concurrent applies to 8 different services each take effect")
    void concurrentServices() throws Exception {
      KitSupport.concurrently(8, t -> {
        String s = service("par" + t);
        for (int step = 1; step <= 5; step++) {
          router().apply(new OperationId("r-" + s + "/s" + step + "/route"), s, canarySplit(s, step * 1_000),
              backends(s, canarySplit(s, step * 1_000)));
        }
        return null;
      });
      for (int t = 0; t < 8; t++) {
        assertInEffect(service("par" + t), canarySplit(service("par" + t), 5_000));
      }
    }
  }
}
