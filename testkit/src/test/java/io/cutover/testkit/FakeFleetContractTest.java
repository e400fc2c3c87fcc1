// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.Release;
import io.cutover.simulator.FakeFleet;
import io.cutover.simulator.FakeFleet.CallKind;
import io.cutover.simulator.FakeFleet.Outcome;
import io.cutover.spi.Fleet;
import io.cutover.spi.OperationId;
import io.cutover.testkit.contract.FleetContract;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("FakeFleet")
class FakeFleetContractTest extends FleetContract {

  @Override
  protected Fleet createFleet() {
    return FakeFleet.create();
  }

  @Override
  protected boolean arrangeLaunchFailure(Fleet fleet, Release release) {
    ((FakeFleet) fleet).failReadiness(release.id());
    return true;
  }

  @Nested
  @DisplayName("recording and faults")
  class Specifics {
    private final FakeFleet fleet = FakeFleet.create();
    private final Release v1 =
        Release.of("shop", new ArtifactRef("team/shop", Digest.sha256("v1")));
    private final OperationId launch = new OperationId("r-1/s0/launch");

    @Test
    @DisplayName("instances get ids, loopback endpoints and the release's digest")
    void instanceShape() {
      List<Instance> launched = fleet.launch(launch, v1, 2);
      assertThat(launched).extracting(Instance::id).allMatch(id -> id.startsWith(v1.id() + "-"));
      assertThat(launched)
          .extracting(i -> i.endpoint().toString())
          .allMatch(e -> e.matches("http://127\\.0\\.0\\.1:\\d+"))
          .doesNotHaveDuplicates();
      assertThat(launched).extracting(Instance::runningDigest).containsOnly(v1.artifact().digest());
    }

    @Test
    @DisplayName("records every call with its outcome and counts one effect per operation id")
    void recording() {
      fleet.launch(launch, v1, 2);
      fleet.launch(launch, v1, 2);
      fleet.retire(new OperationId("r-1/s1/retire"), v1);

      assertThat(fleet.calls())
          .extracting(FakeFleet.Call::kind, FakeFleet.Call::outcome, FakeFleet.Call::replicas)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(CallKind.LAUNCH, Outcome.APPLIED, 2),
              org.assertj.core.groups.Tuple.tuple(CallKind.LAUNCH, Outcome.REPEATED, 2),
              org.assertj.core.groups.Tuple.tuple(CallKind.RETIRE, Outcome.APPLIED, 0));
      assertThat(fleet.effects(launch)).isEqualTo(1);
      assertThat(fleet.effects(new OperationId("r-1/s9/launch"))).isZero();
      assertThat(fleet.allInstances())
          .hasSize(2)
          .allMatch(i -> i.state() == InstanceState.TERMINATED);
    }

    @Test
    @DisplayName("reusing an operation id for another effect is refused and changes nothing")
    void opReuse() {
      fleet.launch(launch, v1, 2);
      assertThatThrownBy(() -> fleet.launch(launch, v1, 3))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("launch 2 x " + v1.id())
          .hasMessageContaining("launch 3 x " + v1.id());
      assertThatThrownBy(() -> fleet.retire(launch, v1)).isInstanceOf(InvalidSpecException.class);
      assertThat(fleet.instances("shop")).hasSize(2);
    }

    @Test
    @DisplayName(
        "a readiness failure is not remembered: after clearing the fault, the same op id launches")
    void readinessFailureThenRetry() {
      fleet.failReadiness(v1.id());
      assertThatThrownBy(() -> fleet.launch(launch, v1, 1))
          .isInstanceOfSatisfying(
              ProviderException.class,
              e -> {
                assertThat(e.retryable()).isFalse();
                assertThat(e.getMessage()).contains("failed readiness");
              });
      assertThat(fleet.effects(launch)).isZero();
      fleet.clearFaults();
      assertThat(fleet.launch(launch, v1, 1)).hasSize(1);
      assertThat(fleet.effects(launch)).isEqualTo(1);
      assertThat(fleet.calls())
          .extracting(FakeFleet.Call::outcome)
          .containsExactly(Outcome.FAILED, Outcome.APPLIED);
    }

    @Test
    @DisplayName("a crashed instance is FAILED, still listed, and gone after retire")
    void crash() {
      Instance i = fleet.launch(launch, v1, 2).get(0);
      fleet.crash(i.id());
      assertThat(fleet.instances("shop"))
          .filteredOn(x -> x.id().equals(i.id()))
          .singleElement()
          .extracting(Instance::state)
          .isEqualTo(InstanceState.FAILED);
      fleet.retire(new OperationId("r-1/s1/retire"), v1);
      assertThat(fleet.instances("shop")).isEmpty();
    }

    @Test
    @DisplayName("a drifted instance reports the other digest")
    void drift() {
      Instance i = fleet.launch(launch, v1, 1).get(0);
      Digest patched = Digest.sha256("patched in place");
      fleet.drift(i.id(), patched);
      assertThat(fleet.instance(i.id()))
          .get()
          .extracting(Instance::runningDigest)
          .isEqualTo(patched);
      assertThat(fleet.instances("shop").get(0).state()).isEqualTo(InstanceState.READY);
    }

    @Test
    @DisplayName("fault hooks name unknown instances")
    void unknownInstance() {
      assertThatThrownBy(() -> fleet.crash("nope"))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("'nope' is not an instance");
    }

    @Test
    @DisplayName("bad replica counts are refused")
    void badReplicas() {
      assertThatThrownBy(() -> fleet.launch(launch, v1, 0))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("launch.replicas");
      assertThatThrownBy(() -> fleet.scale(launch, v1, -1))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("scale.replicas");
      assertThat(fleet.allInstances()).isEmpty();
    }

    @Test
    @DisplayName("listeners see every start and state change")
    void listeners() {
      List<String> seen = new ArrayList<>();
      fleet.onInstanceChange(i -> seen.add(i.id() + ":" + i.state()));
      List<Instance> launched = fleet.launch(launch, v1, 1);
      fleet.retire(new OperationId("r-1/s1/retire"), v1);
      String id = launched.get(0).id();
      assertThat(seen).containsExactly(id + ":READY", id + ":TERMINATED");
    }
  }
}
