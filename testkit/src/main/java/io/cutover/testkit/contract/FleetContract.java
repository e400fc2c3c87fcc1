// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.spi.Fleet;
import io.cutover.spi.OperationId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Fleet}: launches return READY instances of the release, listing is per
 * service, scale/drain/retire do what they say, every mutating call is idempotent by operation id,
 * and a launch that cannot become ready fails cleanly.
 *
 * <p>Extend it and implement {@link #createFleet()}. A fleet that runs real units overrides {@link
 * #release(String, String)} to give releases it can start (the default releases have made-up
 * artifacts). A fleet that can be made to fail readiness overrides {@link
 * #arrangeLaunchFailure(Fleet, Release)} to enable the failure tests, which are skipped otherwise.
 * After each test the kit retires every release it used.
 */
@DisplayName("Fleet contract")
@DisplayNameGeneration(KitDisplayNames.class)
public abstract class FleetContract {

  private final String run = KitSupport.runId();
  private final Set<Release> used = new LinkedHashSet<>();
  private @Nullable Fleet fleet;
  private int ops;

  /** A fleet with no instances of the kit's services. Called once before each test. */
  protected abstract Fleet createFleet();

  /**
   * A release of {@code service} the fleet can run; {@code label} tells releases apart (same label,
   * same release). The default has a made-up artifact.
   */
  protected Release release(String service, String label) {
    return KitSupport.release(service, label);
  }

  /**
   * Arranges that launching {@code release} on {@code fleet} fails readiness; returns false (the
   * default) if the fleet cannot be made to, which skips the failure tests.
   */
  protected boolean arrangeLaunchFailure(Fleet fleet, Release release) {
    return false;
  }

  /** A service name unique to this test. */
  protected String service(String name) {
    return name + "-" + run;
  }

  @BeforeEach
  void createTheFleet() {
    fleet = createFleet();
    assertThat(fleet).as("createFleet()").isNotNull();
  }

  @AfterEach
  void retireEverythingUsed() {
    for (Release r : used) {
      fleet().retire(new OperationId("cleanup-" + run + "/r0/retire-" + r.id()), r);
    }
  }

  /** The fleet under test. */
  protected final Fleet fleet() {
    if (fleet == null) {
      throw new IllegalStateException("no fleet: createFleet() runs before each test");
    }
    return fleet;
  }

  private Release use(String service, String label) {
    Release r = release(service, label);
    used.add(r);
    return r;
  }

  private OperationId op(String kind) {
    return new OperationId("r-" + run + "/s" + (ops++) + "/" + kind);
  }

  private List<Instance> listed(Release r) {
    return fleet().instances(r.service()).stream()
        .filter(i -> i.releaseId().equals(r.id()))
        .toList();
  }

  private static List<String> ids(List<Instance> instances) {
    return instances.stream().map(Instance::id).toList();
  }

  private static void assertReady(List<Instance> instances, Release r, int count) {
    assertThat(instances).hasSize(count);
    assertThat(ids(instances)).doesNotHaveDuplicates();
    for (Instance i : instances) {
      assertThat(i.releaseId()).isEqualTo(r.id());
      assertThat(i.state()).as("state of %s", i.id()).isEqualTo(InstanceState.READY);
      if (i.runningDigest() != null) {
        assertThat(i.runningDigest())
            .as("running digest of %s", i.id())
            .isEqualTo(r.artifact().digest());
      }
    }
  }

  @Nested
  @KitGroup("launching")
  class Launching {
    @Test
    @DisplayName(
        "returns the requested number of READY instances of the release, running its digest")
    void launch() {
      Release r = use(service("app"), "v1");
      assertReady(fleet().launch(op("launch"), r, 3), r, 3);
    }

    @Test
    @DisplayName("lists launched instances under their service, READY")
    void listedReady() {
      Release r = use(service("app"), "v1");
      List<Instance> launched = fleet().launch(op("launch"), r, 2);
      assertThat(ids(listed(r))).containsExactlyInAnyOrderElementsOf(ids(launched));
      assertReady(listed(r), r, 2);
    }

    @Test
    @DisplayName("lists no instance of another service")
    void perService() {
      Release a = use(service("one"), "v1");
      Release b = use(service("two"), "v1");
      fleet().launch(op("launch"), a, 1);
      List<Instance> ofB = fleet().launch(op("launch"), b, 1);
      assertThat(ids(fleet().instances(b.service()))).containsExactlyElementsOf(ids(ofB));
    }

    @Test
    @DisplayName("runs two releases of one service side by side")
    void sideBySide() {
      Release v1 = use(service("app"), "v1");
      Release v2 = use(service("app"), "v2");
      fleet().launch(op("launch"), v1, 2);
      fleet().launch(op("launch"), v2, 1);
      assertReady(listed(v1), v1, 2);
      assertReady(listed(v2), v2, 1);
    }
  }

  @Nested
  @KitGroup("idempotency by operation id")
  class Idempotency {
    @Test
    @DisplayName(
        "launching twice with one operation id launches once and returns the same instances")
    void launchTwice() {
      Release r = use(service("app"), "v1");
      OperationId op = op("launch");
      List<Instance> first = fleet().launch(op, r, 2);
      List<Instance> second = fleet().launch(op, r, 2);
      assertThat(ids(second)).containsExactlyInAnyOrderElementsOf(ids(first));
      assertThat(listed(r)).hasSize(2);
    }

    @Test
    @DisplayName("scaling twice with one operation id scales once")
    void scaleTwice() {
      Release r = use(service("app"), "v1");
      fleet().launch(op("launch"), r, 1);
      OperationId op = op("scale");
      fleet().scale(op, r, 3);
      fleet().scale(op, r, 3);
      assertThat(listed(r)).hasSize(3);
    }

    @Test
    @DisplayName("retiring twice with one operation id succeeds and leaves nothing running")
    void retireTwice() {
      Release r = use(service("app"), "v1");
      fleet().launch(op("launch"), r, 2);
      OperationId op = op("retire");
      fleet().retire(op, r);
      fleet().retire(op, r);
      assertThat(listed(r)).isEmpty();
    }

    @Test
    @DisplayName("draining twice with one operation id succeeds")
    void drainTwice() {
      Release r = use(service("app"), "v1");
      fleet().launch(op("launch"), r, 2);
      OperationId op = op("drain");
      fleet().drain(op, r);
      fleet().drain(op, r);
      assertThat(listed(r)).noneMatch(i -> i.state() == InstanceState.READY);
    }
  }

  @Nested
  @KitGroup("scaling, draining and retiring")
  class Lifecycle {
    @Test
    @DisplayName("scale sets the number of instances, up and down")
    void scale() {
      Release r = use(service("app"), "v1");
      fleet().launch(op("launch"), r, 1);
      assertReady(fleet().scale(op("scale"), r, 3), r, 3);
      assertReady(listed(r), r, 3);
      assertReady(fleet().scale(op("scale"), r, 1), r, 1);
      assertReady(listed(r), r, 1);
    }

    @Test
    @DisplayName("drained instances are no longer READY")
    void drain() {
      Release r = use(service("app"), "v1");
      fleet().launch(op("launch"), r, 2);
      fleet().drain(op("drain"), r);
      assertThat(listed(r)).noneMatch(i -> i.state() == InstanceState.READY);
    }

    @Test
    @DisplayName("retire stops every instance of the release and only of that release")
    void retire() {
      Release v1 = use(service("app"), "v1");
      Release v2 = use(service("app"), "v2");
      fleet().launch(op("launch"), v1, 2);
      fleet().launch(op("launch"), v2, 1);
      fleet().retire(op("retire"), v1);
      assertThat(listed(v1)).isEmpty();
      assertReady(listed(v2), v2, 1);
    }

    @Test
    @DisplayName("retiring a release that has no instances succeeds")
    void retireNothing() {
      Release r = use(service("app"), "never-launched");
      fleet().retire(op("retire"), r);
      assertThat(listed(r)).isEmpty();
    }
  }

  @Nested
  @KitGroup("after failures (fleets that implement arrangeLaunchFailure)")
  class AfterFailures {
    @Test
    @DisplayName(
        "a launch that cannot become ready throws ProviderException and leaves no READY instance")
    void failedLaunch() {
      Release r = use(service("app"), "broken");
      assumeTrue(
          arrangeLaunchFailure(fleet(), r),
          "the fleet under test cannot be made to fail readiness");
      assertThatThrownBy(() -> fleet().launch(op("launch"), r, 2))
          .isInstanceOf(ProviderException.class);
      assertThat(listed(r)).noneMatch(i -> i.state() == InstanceState.READY);
    }

    @Test
    @DisplayName("the release of a failed launch can be retired, and other releases are untouched")
    void retireAfterFailure() {
      Release good = use(service("app"), "good");
      Release bad = use(service("app"), "broken");
      fleet().launch(op("launch"), good, 1);
      assumeTrue(
          arrangeLaunchFailure(fleet(), bad),
          "the fleet under test cannot be made to fail readiness");
      assertThatThrownBy(() -> fleet().launch(op("launch"), bad, 1))
          .isInstanceOf(ProviderException.class);
      fleet().retire(op("retire"), bad);
      assertThat(listed(bad)).isEmpty();
      assertReady(listed(good), good, 1);
    }
  }

  @Nested
  @KitGroup("concurrency")
  class Concurrency {
    @Test
    @DisplayName("launches for 4 services in parallel each get their own instances")
    void parallelServices() throws Exception {
      List<Release> releases = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        releases.add(use(service("par" + t), "v1"));
      }
      List<List<Instance>> launched =
          KitSupport.concurrently(
              4,
              t ->
                  fleet()
                      .launch(
                          new OperationId("r-par" + t + "-" + run + "/s0/launch"),
                          releases.get(t),
                          2));
      for (int t = 0; t < 4; t++) {
        assertReady(launched.get(t), releases.get(t), 2);
        assertThat(ids(fleet().instances(releases.get(t).service())))
            .containsExactlyInAnyOrderElementsOf(ids(launched.get(t)));
      }
    }
  }
}
