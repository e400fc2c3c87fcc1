// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.haproxy.internal;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Maps release weights in basis points onto per-server integer weights of at most {@code max}, and
 * back. The mapping is exact whenever the ratio of the release weights can be written with
 * per-release totals of at most {@code max} per server; then reading the server weights back gives
 * the same basis points. Within a release, the total is spread as evenly as integers allow.
 */
public final class WeightMapping {
  private WeightMapping() {}

  /**
   * Result of a forward mapping.
   *
   * @param perServer per release id, the weight of each of its servers (in the order given)
   * @param exact whether reading these weights back gives exactly the requested basis points
   */
  public record Result(Map<String, List<Integer>> perServer, boolean exact) {}

  /**
   * Maps {@code weights} (basis points per release) onto servers.
   *
   * @param weights basis points per release; releases at 0 get servers at 0
   * @param servers number of servers per release (at least 1 for every release with weight)
   * @param max the largest weight a server may have
   */
  public static Result map(Map<String, Integer> weights, Map<String, Integer> servers, int max) {
    long g = 0;
    for (int w : weights.values()) {
      if (w > 0) {
        g = BigInteger.valueOf(g).gcd(BigInteger.valueOf(w)).longValue();
      }
    }
    Map<String, Long> totals = new LinkedHashMap<>();
    long k = Long.MAX_VALUE;
    for (Map.Entry<String, Integer> e : weights.entrySet()) {
      if (e.getValue() == 0) {
        continue;
      }
      long base = e.getValue() / g;
      int n = servers.getOrDefault(e.getKey(), 0);
      if (n < 1) {
        throw new IllegalArgumentException("release " + e.getKey() + " has weight but no server");
      }
      totals.put(e.getKey(), base);
      k = Math.min(k, (long) max * n / base);
    }
    boolean exact = k >= 1;
    Map<String, List<Integer>> out = new LinkedHashMap<>();
    if (exact) {
      long multiple = k;
      totals.replaceAll((id, base) -> base * multiple);
    } else {
      // No integer multiple fits: scale the largest release to the cap and round the others.
      double scale = Double.MAX_VALUE;
      for (Map.Entry<String, Long> e : totals.entrySet()) {
        scale = Math.min(scale, (double) max * servers.getOrDefault(e.getKey(), 0) / e.getValue());
      }
      double s = scale;
      totals.replaceAll((id, base) -> Math.max(1, Math.round(base * s)));
    }
    for (Map.Entry<String, Integer> e : weights.entrySet()) {
      int n = servers.getOrDefault(e.getKey(), 0);
      List<Integer> list = new ArrayList<>(n);
      long total = totals.getOrDefault(e.getKey(), 0L);
      for (int i = 0; i < n; i++) {
        list.add((int) (total / n + (i < total % n ? 1 : 0)));
      }
      out.put(e.getKey(), list);
    }
    return new Result(out, exact);
  }

  /**
   * Reads per-release weight totals back as basis points summing to 10 000 (largest remainder), or
   * null when every total is 0.
   */
  public static @Nullable Map<String, Integer> toBasisPoints(Map<String, Long> totals) {
    long sum = totals.values().stream().mapToLong(Long::longValue).sum();
    if (sum == 0) {
      return null;
    }
    Map<String, Integer> out = new LinkedHashMap<>();
    List<Map.Entry<String, Long>> remainders = new ArrayList<>();
    int assigned = 0;
    for (Map.Entry<String, Long> e : totals.entrySet()) {
      long scaled = e.getValue() * 10_000L;
      out.put(e.getKey(), (int) (scaled / sum));
      assigned += (int) (scaled / sum);
      remainders.add(Map.entry(e.getKey(), scaled % sum));
    }
    remainders.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
    for (int i = 0; assigned < 10_000; i++, assigned++) {
      out.merge(remainders.get(i % remainders.size()).getKey(), 1, Integer::sum);
    }
    return out;
  }
}
