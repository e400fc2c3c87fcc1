// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.Verdict.Outcome;
import io.cutover.core.gate.internal.Configs;
import io.cutover.spi.HealthGate;
import io.cutover.spi.HealthGateProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import java.util.Locale;
import java.util.Set;

/**
 * Creates {@link ManualApprovalGate}s; provider name {@code manual-approval}. Keys: {@code name},
 * {@code timeout} (required), {@code onTimeout} ({@code fail} by default, {@code pass} or {@code
 * inconclusive}) and optionally {@code clock}, an {@link java.time.InstantSource} passed from code;
 * without it the gate uses the {@link io.cutover.spi.ProviderContext#clock() context's clock}.
 * Stateless and thread-safe.
 */
public final class ManualApprovalGateProvider implements HealthGateProvider {
  /** Creates the factory; no I/O. */
  public ManualApprovalGateProvider() {}

  @Override
  public String name() {
    return "manual-approval";
  }

  @Override
  public HealthGate create(ProviderConfig config, ProviderContext context) {
    config.requireOnly(Set.of("name", "timeout", "onTimeout", "clock"));
    String on = config.getString("onTimeout", "fail").toLowerCase(Locale.ROOT);
    Outcome outcome =
        switch (on) {
          case "fail" -> Outcome.FAIL;
          case "pass" -> Outcome.PASS;
          case "inconclusive" -> Outcome.INCONCLUSIVE;
          default ->
              throw new InvalidSpecException(
                  config.pathOf("onTimeout"), "is '" + on + "'", "use fail, pass or inconclusive");
        };
    return ManualApprovalGate.of(
        config.requireString("name"),
        config.requireDuration("timeout"),
        outcome,
        Configs.clock(config, context));
  }
}
