// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.cutover.api.Instance;
import io.cutover.api.TrafficSplit;
import io.cutover.simulator.FakeRouter;
import io.cutover.simulator.VirtualClock;
import io.cutover.spi.OperationId;
import io.cutover.spi.Router;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The router kit is as strict as the engine's read-back: it fails routers that drop weight-0
 * releases, keep releases or rules a newer split no longer has, or fail more than once after {@code
 * arrangeNextApplyFailure}; and its reports name the provider test and the kit. The kits under test
 * are nested classes, which Surefire does not run by itself; this test runs them with the JUnit
 * Platform launcher and reads their results.
 */
class RouterContractStrictnessTest {

  @Test
  @DisplayName("a router that drops weight-0 releases fails the kit (the engine would abort)")
  void dropsZeroWeights() {
    Set<String> failed = failedTests(DropsZeroWeightsKit.class);
    assertThat(failed)
        .contains("zeroWeightWithBackends", "zeroWeightWithoutBackends", "progression")
        .doesNotContain("readBack", "independentServices");
  }

  @Test
  @DisplayName("a router that keeps releases no longer named fails the kit")
  void keepsDroppedReleases() {
    assertThat(failedTests(KeepsOldReleasesKit.class))
        .contains("droppedRelease")
        .doesNotContain("readBack");
  }

  @Test
  @DisplayName("a router that keeps the rules and mirror of an earlier split fails the kit")
  void keepsStaleRules() {
    assertThat(failedTests(KeepsRulesKit.class)).contains("cleared").doesNotContain("rules");
  }

  @Test
  @DisplayName("a router that declares no rule support but drops rules silently fails the kit")
  void dropsRulesSilently() {
    assertThat(failedTests(DropsRulesKit.class)).contains("rules", "mirror");
  }

  @Test
  @DisplayName("an arranged failure that hits more than one apply fails the kit")
  void failsTwice() {
    assertThat(failedTests(FailsTwiceKit.class)).contains("retryApplies");
  }

  @Test
  @DisplayName("the exact router passes every test of the kit")
  void exactRouterPasses() {
    assertThat(failedTests(ExactKit.class)).isEmpty();
  }

  @Test
  @DisplayName("nested groups are named after the provider test and the kit, unique across kits")
  void reportNames() {
    Set<String> exact = groupNames(ExactKit.class);
    Set<String> lax = groupNames(DropsZeroWeightsKit.class);
    assertThat(exact)
        .contains(
            "ExactKit › Router contract › applying splits",
            "ExactKit › Router contract › match rules and mirrors");
    assertThat(lax).contains("DropsZeroWeightsKit › Router contract › applying splits");
    assertThat(exact).doesNotContainAnyElementsOf(lax);
  }

  @Test
  @DisplayName("no kit group has a @DisplayName (Surefire would report every kit's groups by it)")
  void groupsNamedForSurefire() {
    for (Class<?> kit :
        List.of(
            RouterContract.class,
            FleetContract.class,
            JournalContract.class,
            ArtifactStoreContract.class,
            MetricSourceContract.class,
            HealthGateContract.class)) {
      assertThat(kit.getDeclaredClasses())
          .as("nested groups of %s", kit.getSimpleName())
          .filteredOn(c -> c.isAnnotationPresent(Nested.class))
          .isNotEmpty()
          .allSatisfy(
              c -> {
                assertThat(c.isAnnotationPresent(DisplayName.class))
                    .as("%s has @DisplayName", c.getName())
                    .isFalse();
                assertThat(c.isAnnotationPresent(KitGroup.class))
                    .as("%s has @KitGroup", c.getName())
                    .isTrue();
              });
    }
  }

  // ---------------------------------------------------------------- running a kit

  private static Set<String> failedTests(Class<?> kit) {
    Set<String> failed = new TreeSet<>();
    List<String> ran = new ArrayList<>();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(
        request(kit),
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (!id.isTest()) {
              return;
            }
            String method =
                id.getSource()
                    .filter(MethodSource.class::isInstance)
                    .map(s -> ((MethodSource) s).getMethodName())
                    .orElse(id.getDisplayName());
            ran.add(method);
            if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
              failed.add(method);
            }
          }
        });
    assertThat(ran).as("tests of %s that ran", kit.getSimpleName()).hasSizeGreaterThan(10);
    return failed;
  }

  private static Set<String> groupNames(Class<?> kit) {
    TestPlan plan = LauncherFactory.create().discover(request(kit));
    Set<String> names = new TreeSet<>();
    for (TestIdentifier root : plan.getRoots()) {
      for (TestIdentifier top : plan.getChildren(root)) {
        plan.getChildren(top).stream()
            .filter(TestIdentifier::isContainer)
            .forEach(c -> names.add(c.getDisplayName()));
      }
    }
    return names;
  }

  private static LauncherDiscoveryRequest request(Class<?> kit) {
    return LauncherDiscoveryRequestBuilder.request().selectors(selectClass(kit)).build();
  }

  // ---------------------------------------------------------------- routers and their kits

  /** Delegates to a {@link FakeRouter}, changing what it applies or reads back. */
  abstract static class Distorting implements Router {
    final FakeRouter inner = FakeRouter.create(VirtualClock.create());

    @Override
    public void apply(
        OperationId op, String service, TrafficSplit split, Map<String, List<Instance>> backends) {
      inner.apply(op, service, distort(service, split), backends);
    }

    @Override
    public Optional<TrafficSplit> current(String service) {
      return inner.current(service);
    }

    abstract TrafficSplit distort(String service, TrafficSplit split);
  }

  /** A kit over a {@link Distorting} router that declares rules and mirrors. */
  abstract static class DistortingKit extends RouterContract {
    @Override
    protected boolean supportsMatchRules() {
      return true;
    }

    @Override
    protected boolean supportsMirror() {
      return true;
    }

    @Override
    protected boolean arrangeNextApplyFailure(Router router) {
      ((Distorting) router).inner.failNextApplies(1);
      return true;
    }
  }

  static final class ExactKit extends DistortingKit {
    @Override
    protected Router createRouter() {
      return new Distorting() {
        @Override
        TrafficSplit distort(String service, TrafficSplit split) {
          return split;
        }
      };
    }
  }

  static final class DropsZeroWeightsKit extends DistortingKit {
    @Override
    protected Router createRouter() {
      return new Distorting() {
        @Override
        TrafficSplit distort(String service, TrafficSplit split) {
          Map<String, Integer> positive = new LinkedHashMap<>();
          split
              .weights()
              .forEach(
                  (id, w) -> {
                    if (w > 0) {
                      positive.put(id, w);
                    }
                  });
          return split.withWeights(positive);
        }
      };
    }
  }

  static final class KeepsOldReleasesKit extends DistortingKit {
    @Override
    protected Router createRouter() {
      return new Distorting() {
        @Override
        TrafficSplit distort(String service, TrafficSplit split) {
          Map<String, Integer> weights = new LinkedHashMap<>();
          inner.current(service).ifPresent(c -> c.releaseIds().forEach(id -> weights.put(id, 0)));
          weights.putAll(split.weights());
          return split.withWeights(weights);
        }
      };
    }
  }

  static final class KeepsRulesKit extends DistortingKit {
    @Override
    protected Router createRouter() {
      return new Distorting() {
        @Override
        TrafficSplit distort(String service, TrafficSplit split) {
          Optional<TrafficSplit> before = inner.current(service);
          if (before.isEmpty() || !split.rules().isEmpty() || split.mirror() != null) {
            return split;
          }
          TrafficSplit.Builder b = TrafficSplit.builder();
          split.weights().forEach(b::weight);
          before.get().rules().stream()
              .filter(r -> split.weights().containsKey(r.releaseId()))
              .forEach(b::rule);
          TrafficSplit.Mirror m = before.get().mirror();
          if (m != null && split.weights().containsKey(m.releaseId())) {
            b.mirror(m);
          }
          return b.build();
        }
      };
    }
  }

  /** Declares neither rules nor mirrors (the default) but accepts them and drops them. */
  static final class DropsRulesKit extends RouterContract {
    @Override
    protected Router createRouter() {
      return new Distorting() {
        @Override
        TrafficSplit distort(String service, TrafficSplit split) {
          return TrafficSplit.of(split.weights());
        }
      };
    }
  }

  static final class FailsTwiceKit extends DistortingKit {
    @Override
    protected Router createRouter() {
      return new ExactKit().createRouter();
    }

    @Override
    protected boolean arrangeNextApplyFailure(Router router) {
      ((Distorting) router).inner.failNextApplies(2);
      return true;
    }
  }
}
