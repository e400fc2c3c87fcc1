// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate;

import io.cutover.api.InvalidSpecException;
import io.cutover.core.gate.internal.Configs;
import io.cutover.spi.HealthGate;
import io.cutover.spi.HealthGateProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Creates {@link CompositeGate}s; provider name {@code composite}. Keys: {@code name}, {@code mode}
 * ({@code all}, {@code any} or {@code quorum}), {@code quorum} (for mode quorum) and {@code gates},
 * a list of nested gate configurations each with a {@code type} naming its provider. Stateless and
 * thread-safe.
 */
public final class CompositeGateProvider implements HealthGateProvider {
  /** Creates the factory; no I/O. */
  public CompositeGateProvider() {}

  @Override
  public String name() {
    return "composite";
  }

  @Override
  public HealthGate create(ProviderConfig config, ProviderContext context) {
    config.requireOnly(Set.of("name", "mode", "quorum", "gates"));
    String name = config.requireString("name");
    String mode = config.getString("mode", "all");
    List<ProviderConfig> children = Configs.objects(config, "gates");
    if (children.isEmpty()) {
      throw new InvalidSpecException(
          config.pathOf("gates"),
          "is missing or empty",
          "list the gates to combine, each with a 'type'");
    }
    if (!mode.equals("quorum") && config.has("quorum")) {
      throw new InvalidSpecException(
          config.pathOf("quorum"),
          "is set with mode '" + mode + "'",
          "remove it or set mode: quorum");
    }
    int quorum = mode.equals("quorum") ? config.requireInt("quorum") : 0;
    List<HealthGate> gates = new ArrayList<>();
    for (ProviderConfig c : children) {
      gates.add(Configs.gate(c, context));
    }
    return switch (mode) {
      case "all" -> CompositeGate.all(name, gates);
      case "any" -> CompositeGate.any(name, gates);
      case "quorum" -> CompositeGate.quorum(name, quorum, gates);
      default ->
          throw new InvalidSpecException(
              config.pathOf("mode"), "is '" + mode + "'", "use all, any or quorum");
    };
  }
}
