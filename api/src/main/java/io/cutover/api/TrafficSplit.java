// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How a service's traffic is divided between its releases, in basis points (1/100 of a percent)
 * that always sum to {@value #TOTAL}. Optional {@link MatchRule}s send matching requests (by header
 * or cookie) to a given release whatever the weights say (A/B testing), and an optional {@link
 * Mirror} copies a share of requests to a release whose answers are discarded.
 *
 * <p>Immutable and thread-safe. It is valid by construction: the factories and the builder throw
 * {@link InvalidSpecException} for weights that do not sum to {@value #TOTAL}, negative weights, or
 * rules and mirrors that name releases absent from the split.
 */
public final class TrafficSplit {
  /** The sum of all weights: 10 000 basis points = 100 %. */
  public static final int TOTAL = 10_000;

  /**
   * Sends requests that carry a header or cookie with an exact value to one release.
   *
   * @param kind where to look
   * @param name the header or cookie name
   * @param value the exact value to match
   * @param releaseId the release that receives matching requests
   */
  public record MatchRule(Kind kind, String name, String value, String releaseId) {
    /** Where a rule looks. */
    public enum Kind {
      /** An HTTP request header (name compared case-insensitively). */
      HEADER,
      /** An HTTP cookie (name compared exactly). */
      COOKIE
    }

    /** Validates the parts. */
    public MatchRule {
      Check.notNull(kind, "split.rules.kind");
      Check.notBlank(name, "split.rules.name");
      Check.notNull(value, "split.rules.value");
      Check.notBlank(releaseId, "split.rules.releaseId");
    }
  }

  /**
   * Copies a share of requests to a release; the copies' responses are discarded.
   *
   * @param releaseId the release that receives the copies
   * @param basisPoints the share of requests copied, 1..10 000
   */
  public record Mirror(String releaseId, int basisPoints) {
    /** Validates the parts. */
    public Mirror {
      Check.notBlank(releaseId, "split.mirror.releaseId");
      if (basisPoints < 1 || basisPoints > TOTAL) {
        throw new InvalidSpecException(
            "split.mirror.basisPoints",
            "is " + basisPoints,
            "use 1..10000 (basis points of requests to copy)");
      }
    }
  }

  private final Map<String, Integer> weights;
  private final List<MatchRule> rules;
  private final @Nullable Mirror mirror;

  private TrafficSplit(
      Map<String, Integer> weights, List<MatchRule> rules, @Nullable Mirror mirror) {
    this.weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    this.rules = List.copyOf(rules);
    this.mirror = mirror;
    validate();
  }

  /** All traffic to one release. */
  public static TrafficSplit all(String releaseId) {
    return builder().weight(releaseId, TOTAL).build();
  }

  /**
   * Two releases, {@code candidateBasisPoints} to the candidate and the rest to stable. Releases
   * with weight 0 stay in the split so that routers keep knowing about them.
   */
  public static TrafficSplit of(String stableId, String candidateId, int candidateBasisPoints) {
    return builder()
        .weight(stableId, TOTAL - candidateBasisPoints)
        .weight(candidateId, candidateBasisPoints)
        .build();
  }

  /** A split from explicit weights, in iteration order. */
  public static TrafficSplit of(Map<String, Integer> weights) {
    Builder b = builder();
    weights.forEach(b::weight);
    return b.build();
  }

  /** An empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Re-checks the invariants: weights non-negative and summing to {@value #TOTAL}, rules and mirror
   * naming releases of the split. Always passes for an instance that exists; public so that code
   * that received a split over the wire can state the check explicitly.
   *
   * @throws InvalidSpecException describing every violation
   */
  public void validate() {
    List<InvalidSpecException.Violation> v = new ArrayList<>();
    int sum = 0;
    if (weights.isEmpty()) {
      v.add(
          new InvalidSpecException.Violation(
              "split.weights", "is empty", "give at least one release a weight"));
    }
    for (Map.Entry<String, Integer> e : weights.entrySet()) {
      if (e.getKey() == null || e.getKey().isBlank()) {
        v.add(
            new InvalidSpecException.Violation(
                "split.weights", "has a blank release id", "name every release"));
      }
      int w = e.getValue();
      if (w < 0 || w > TOTAL) {
        v.add(
            new InvalidSpecException.Violation(
                "split.weights." + e.getKey(), "is " + w, "use 0..10000 basis points"));
      }
      sum += w;
    }
    if (!weights.isEmpty() && sum != TOTAL) {
      v.add(
          new InvalidSpecException.Violation(
              "split.weights",
              "sum to " + sum + " basis points, not " + TOTAL,
              "make the weights add up to 10000 (100 %)"));
    }
    for (int i = 0; i < rules.size(); i++) {
      if (!weights.containsKey(rules.get(i).releaseId())) {
        v.add(
            new InvalidSpecException.Violation(
                "split.rules[" + i + "].releaseId",
                "names '" + rules.get(i).releaseId() + "', which is not in the split",
                "add the release to the weights (weight 0 is fine) or fix the id"));
      }
    }
    if (mirror != null && !weights.containsKey(mirror.releaseId())) {
      v.add(
          new InvalidSpecException.Violation(
              "split.mirror.releaseId",
              "names '" + mirror.releaseId() + "', which is not in the split",
              "add the release to the weights (weight 0 is fine) or fix the id"));
    }
    if (!v.isEmpty()) {
      throw new InvalidSpecException(v);
    }
  }

  /** Weights in basis points by release id, in insertion order. */
  public Map<String, Integer> weights() {
    return weights;
  }

  /** The weight of a release in basis points; 0 if absent. */
  public int weight(String releaseId) {
    return weights.getOrDefault(releaseId, 0);
  }

  /** The weight of a release in percent (0.0..100.0). */
  public double percent(String releaseId) {
    return weight(releaseId) / 100.0;
  }

  /** Release ids that appear in the split, including those at weight 0. */
  public Set<String> releaseIds() {
    return weights.keySet();
  }

  /** Match rules, evaluated in order before the weights. */
  public List<MatchRule> rules() {
    return rules;
  }

  /** The mirror, if any. */
  public @Nullable Mirror mirror() {
    return mirror;
  }

  /**
   * A copy with new weights, keeping the rules and the mirror that still name a release of the new
   * split and dropping the others.
   */
  public TrafficSplit withWeights(Map<String, Integer> newWeights) {
    Builder b = builder();
    newWeights.forEach(b::weight);
    for (MatchRule rule : rules) {
      if (newWeights.containsKey(rule.releaseId())) {
        b.rule(rule);
      }
    }
    if (mirror != null && newWeights.containsKey(mirror.releaseId())) {
      b.mirror(mirror);
    }
    return b.build();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof TrafficSplit t
        && weights.equals(t.weights)
        && rules.equals(t.rules)
        && Objects.equals(mirror, t.mirror);
  }

  @Override
  public int hashCode() {
    return Objects.hash(weights, rules, mirror);
  }

  /** E.g. {@code {app-1a2b: 90.00%, app-3c4d: 10.00%}}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    weights.forEach(
        (id, w) -> {
          if (sb.length() > 1) {
            sb.append(", ");
          }
          // Basis points print exactly as a percent with two decimals, without Formatter's cost on
          // hot paths.
          sb.append(id)
              .append(": ")
              .append(w / 100)
              .append('.')
              .append((char) ('0' + (w % 100) / 10))
              .append((char) ('0' + w % 10))
              .append('%');
        });
    if (!rules.isEmpty()) {
      sb.append(", rules=").append(rules);
    }
    if (mirror != null) {
      sb.append(", mirror=").append(mirror);
    }
    return sb.append('}').toString();
  }

  /** Builds a {@link TrafficSplit}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Integer> weights = new LinkedHashMap<>();
    private final List<MatchRule> rules = new ArrayList<>();
    private @Nullable Mirror mirror;

    private Builder() {}

    /** Sets a release's weight in basis points. */
    public Builder weight(String releaseId, int basisPoints) {
      Check.notBlank(releaseId, "split.weights");
      weights.put(releaseId, basisPoints);
      return this;
    }

    /** Adds a match rule. */
    public Builder rule(MatchRule rule) {
      rules.add(Check.notNull(rule, "split.rules"));
      return this;
    }

    /** Sets the mirror. */
    public Builder mirror(Mirror mirror) {
      this.mirror = mirror;
      return this;
    }

    /**
     * Builds the split.
     *
     * @throws InvalidSpecException if the invariants do not hold
     */
    public TrafficSplit build() {
      return new TrafficSplit(weights, rules, mirror);
    }
  }
}
