// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.crash;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.Verdict;
import io.cutover.api.plan.Step;
import io.cutover.core.strategy.Strategies;
import io.cutover.spi.GateContext;
import io.cutover.spi.HealthGate;
import io.cutover.spi.RolloutStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * What a crash-test child process does, and so what its end state must be: for each service,
 * release {@code v1} is launched and adopted as stable, then releases {@code v2, v3, ...} are
 * rolled out one after the other with a canary, after an idle {@linkplain #gap() gap} each
 * (services run side by side). A <em>good</em> release passes the {@code health} gate and must end
 * SUCCEEDED as the new stable; a <em>bad</em> one fails it at the first analysis and must end
 * ABORTED with 100 % of the traffic back on the stable release it started from.
 *
 * <p>Releases are derived from the service and label alone, so every process (and the checker)
 * builds the same release ids. The canary's waits are multiples of {@code tick}, so with a tick of
 * 100 ms a rollout lasts about a second of real time.
 *
 * <p>Encoded on a command line as {@code tick=100;replicas=4;orders=GBG;billing=BG} (G good, B
 * bad).
 *
 * @param tick the canary's time unit: analysis interval 1 tick, pause 2 ticks, scale-down delay 2
 *     ticks
 * @param replicas instances per service at full scale
 * @param services per service, in order, whether each release after {@code v1} is bad
 */
public record CrashScenario(Duration tick, int replicas, Map<String, List<Boolean>> services) {

  /** The name of the gate that judges releases. */
  public static final String GATE = "health";

  private static final List<String> NAMES =
      List.of("orders", "billing", "search", "cart", "ledger", "mail");

  /** Validates and copies. */
  public CrashScenario {
    if (tick.isNegative() || tick.isZero()) {
      throw new InvalidSpecException("tick", "is " + tick, "use a positive duration, e.g. 100 ms");
    }
    if (replicas < 1) {
      throw new InvalidSpecException("replicas", "is " + replicas, "use 1 or more");
    }
    if (services.isEmpty()) {
      throw new InvalidSpecException("services", "is empty", "name at least one service");
    }
    Map<String, List<Boolean>> copy = new LinkedHashMap<>();
    services.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    services = Collections.unmodifiableMap(copy);
  }

  /**
   * A scenario with {@code services} services of {@code rollouts} rollouts each, bad with
   * probability 1/3.
   */
  public static CrashScenario random(
      Random rng, int services, int rollouts, Duration tick, int replicas) {
    if (services < 1 || services > NAMES.size()) {
      throw new InvalidSpecException("services", "is " + services, "use 1 to " + NAMES.size());
    }
    if (rollouts < 1) {
      throw new InvalidSpecException("rollouts", "is " + rollouts, "use 1 or more");
    }
    Map<String, List<Boolean>> m = new LinkedHashMap<>();
    for (int s = 0; s < services; s++) {
      List<Boolean> bad = new ArrayList<>();
      for (int r = 0; r < rollouts; r++) {
        bad.add(rng.nextInt(3) == 0);
      }
      m.put(NAMES.get(s), bad);
    }
    return new CrashScenario(tick, replicas, m);
  }

  /** Parses {@link #encode()}'s form. */
  public static CrashScenario parse(String text) {
    Duration tick = null;
    int replicas = 0;
    Map<String, List<Boolean>> m = new LinkedHashMap<>();
    for (String part : text.split(";")) {
      int eq = part.indexOf('=');
      if (eq < 1) {
        throw new InvalidSpecException(
            "scenario",
            "part '" + part + "' of '" + text + "' is not key=value",
            "use e.g. tick=100;replicas=4;orders=GBG");
      }
      String key = part.substring(0, eq);
      String value = part.substring(eq + 1);
      switch (key) {
        case "tick" -> tick = Duration.ofMillis(Long.parseLong(value));
        case "replicas" -> replicas = Integer.parseInt(value);
        default -> {
          List<Boolean> bad = new ArrayList<>();
          for (char c : value.toCharArray()) {
            if (c != 'G' && c != 'B') {
              throw new InvalidSpecException(
                  "scenario." + key, "has '" + c + "'", "use G (good) or B (bad)");
            }
            bad.add(c == 'B');
          }
          m.put(key, bad);
        }
      }
    }
    if (tick == null) {
      throw new InvalidSpecException("scenario.tick", "is missing", "add tick=<millis>");
    }
    return new CrashScenario(tick, replicas, m);
  }

  /** The command-line form, e.g. {@code tick=100;replicas=4;orders=GBG}. */
  public String encode() {
    StringBuilder sb =
        new StringBuilder("tick=").append(tick.toMillis()).append(";replicas=").append(replicas);
    services.forEach(
        (s, bad) -> {
          sb.append(';').append(s).append('=');
          bad.forEach(b -> sb.append(b ? 'B' : 'G'));
        });
    return sb.toString();
  }

  /** The release {@code label} of {@code service}, e.g. {@code v1}: the same in every process. */
  public static Release release(String service, String label) {
    Digest digest = Digest.sha256(service + ":" + label);
    return Release.of(service, ArtifactRef.parse("crash.test/" + service + "@" + digest))
        .withLabel(label);
  }

  /** The initial stable release of a service. */
  public Release initial(String service) {
    return release(service, "v1");
  }

  /** The releases rolled out for a service, in order ({@code v2}, {@code v3}, ...). */
  public List<Release> rollouts(String service) {
    List<Boolean> bad = services.get(service);
    if (bad == null) {
      throw new InvalidSpecException(
          "service", "'" + service + "' is not in the scenario", "use one of " + services.keySet());
    }
    List<Release> out = new ArrayList<>(bad.size());
    for (int i = 0; i < bad.size(); i++) {
      out.add(release(service, "v" + (i + 2)));
    }
    return out;
  }

  /** Whether a release of the scenario is bad. */
  public boolean isBad(String releaseId) {
    for (Map.Entry<String, List<Boolean>> e : services.entrySet()) {
      List<Release> list = rollouts(e.getKey());
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i).id().equals(releaseId)) {
          return e.getValue().get(i);
        }
      }
    }
    return false;
  }

  /**
   * The stable release of a service after all its rollouts: its last good release, or {@code v1}.
   */
  public Release finalStable(String service) {
    Release stable = initial(service);
    List<Release> list = rollouts(service);
    for (int i = 0; i < list.size(); i++) {
      if (!Objects.requireNonNull(services.get(service), service).get(i)) {
        stable = list.get(i);
      }
    }
    return stable;
  }

  /**
   * The {@value #GATE} gate of this scenario: passes good releases, fails bad ones. Thread-safe and
   * the same in every process, so engine replicas in different JVMs judge a release alike.
   */
  public HealthGate gate() {
    return new HealthGate() {
      @Override
      public String name() {
        return GATE;
      }

      @Override
      public Verdict evaluate(GateContext context) {
        return isBad(context.candidate().id())
            ? Verdict.fail("release " + context.candidate().label() + " is bad in this scenario")
            : Verdict.pass();
      }
    };
  }

  /** How many rollouts the scenario holds. */
  public int rolloutCount() {
    return services.values().stream().mapToInt(List::size).sum();
  }

  /** The idle time before each rollout of a service: 2 ticks. */
  public Duration gap() {
    return tick.multipliedBy(2);
  }

  /** The canary every rollout uses. */
  public RolloutStrategy strategy() {
    return Strategies.canary()
        .setWeight(25)
        .analysis(Step.Verify.gates(GATE).count(2).interval(tick).build())
        .setWeight(50)
        .pause(tick.multipliedBy(2))
        .analysis(Step.Verify.gates(GATE).build())
        .scaleDownDelay(tick.multipliedBy(2))
        .build();
  }
}
