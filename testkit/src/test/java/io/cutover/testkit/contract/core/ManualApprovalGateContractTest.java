// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.contract.core;

import io.cutover.api.Verdict.Outcome;
import io.cutover.core.gate.ManualApprovalGate;
import io.cutover.spi.HealthGate;
import io.cutover.testkit.contract.HealthGateContract;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;

/**
 * {@link ManualApprovalGate} passes the kit. A human's decision is final for its rollout by design
 * (a denial is not undone by a later approval), so it declares {@link #decisionsAreFinal()}.
 */
@DisplayName("ManualApprovalGate")
class ManualApprovalGateContractTest extends HealthGateContract {
  private @Nullable ManualApprovalGate gate;

  @Override
  protected HealthGate createGate() {
    gate = ManualApprovalGate.of("approval", Duration.ofHours(1), Outcome.FAIL, clock());
    return gate;
  }

  @Override
  protected boolean decisionsAreFinal() {
    return true;
  }

  private ManualApprovalGate approval() {
    if (gate == null) {
      throw new IllegalStateException("createGate() has not run");
    }
    return gate;
  }

  @Override
  protected void arrangeHealthy() {
    approval().approve(rolloutId());
  }

  @Override
  protected void arrangeUnhealthy() {
    approval().deny(rolloutId(), "the release notes are missing");
  }

  @Override
  protected void arrangeNoData() {
    // Nobody has decided yet.
  }
}
