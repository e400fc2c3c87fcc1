// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate.internal;

import io.cutover.api.Verdict;
import io.cutover.spi.GateContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The placeholder values every metric-backed gate offers to its query templates. */
public final class Templates {
  private Templates() {}

  /**
   * {@code release} (the candidate id), {@code candidate}, {@code stable} (empty on a first
   * deploy), {@code service}, {@code rollout}, {@code phase}, {@code window} (as a Prometheus
   * duration such as {@code 300s}) and every hook parameter; {@code extra} wins over all of them.
   */
  public static Map<String, String> labels(
      GateContext ctx, Duration window, Map<String, String> extra) {
    Map<String, String> m = new LinkedHashMap<>(ctx.params());
    m.put("release", ctx.candidate().id());
    m.put("candidate", ctx.candidate().id());
    m.put("stable", ctx.stable() == null ? "" : ctx.stable().id());
    m.put("service", ctx.service());
    m.put("rollout", ctx.rolloutId());
    m.put("phase", ctx.phase());
    m.put("window", promDuration(window));
    m.putAll(extra);
    return m;
  }

  /** A duration in whole seconds as PromQL writes it ({@code 300s}); at least {@code 1s}. */
  public static String promDuration(Duration d) {
    return Math.max(1, d.toSeconds()) + "s";
  }

  /**
   * The window to measure: the configured lookback, or else the context's window as the engine gave
   * it — possibly zero (see {@link GateContext#windowStart()}); never widened, so a gate never
   * judges time it was not given. Pair with {@link #emptyWindow}.
   */
  public static Duration window(GateContext ctx, Duration lookback) {
    if (!lookback.isZero()) {
      return lookback;
    }
    Duration w = Duration.between(ctx.windowStart(), ctx.now());
    return w.isNegative() ? Duration.ZERO : w;
  }

  /**
   * An INCONCLUSIVE verdict saying how to fix it when {@code window} (from {@link #window}) is
   * empty, else null. Only a verify step with neither {@code initialDelay} nor {@code interval} (a
   * one-shot check at the step's start), or a hand-built context, has an empty window; a metric
   * gate must not invent one (it once silently judged the last second instead), and an inconclusive
   * result pauses the rollout with this reason rather than passing unmeasured.
   */
  public static @Nullable Verdict emptyWindow(String gate, GateContext ctx, Duration window) {
    if (!window.isZero()) {
      return null;
    }
    return Verdict.inconclusive(
        "gate '"
            + gate
            + "': the measurement window is empty (windowStart "
            + ctx.windowStart()
            + " = now): a verify step with neither initialDelay nor interval measures at the"
            + " instant it starts; give the verify step an initialDelay or an interval, or the"
            + " gate a lookback");
  }
}
