package io.cutover.spi;

import io.cutover.api.Instance;
import io.cutover.api.Release;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link HealthGate} evaluates: the releases, the measurement window, the instances.
 *
 * @param rolloutId the rollout
 * @param service the service
 * @param stable the stable (baseline) release, null for a first deployment
 * @param candidate the release under test
 * @param windowStart start of the window to judge (when the current verify step began, or the previous measurement)
 * @param now the end of the window, from the engine's clock
 * @param measurement 1-based index of this measurement within its verify step
 * @param candidateInstances READY instances of the candidate
 * @param phase the lifecycle phase for hooks (e.g. {@code pre-rollout}), or {@code analysis}
 * @param params hook parameters, empty for analysis
 */
public record GateContext(String rolloutId, String service, @Nullable Release stable, Release candidate,
    Instant windowStart, Instant now, int measurement, List<Instance> candidateInstances, String phase,
    Map<String, String> params) {

  /** The phase of analysis measurements. */
  public static final String ANALYSIS = "analysis";

  /** Copies the collections. */
  public GateContext {
    candidateInstances = List.copyOf(candidateInstances);
    params = Map.copyOf(params);
  }
}
