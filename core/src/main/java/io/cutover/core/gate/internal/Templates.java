// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.gate.internal;

import io.cutover.spi.GateContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

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
   * The window to measure: the configured lookback, or the context's window (at least one second).
   */
  public static Duration window(GateContext ctx, Duration lookback) {
    if (!lookback.isZero()) {
      return lookback;
    }
    Duration w = Duration.between(ctx.windowStart(), ctx.now());
    return w.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : w;
  }
}
