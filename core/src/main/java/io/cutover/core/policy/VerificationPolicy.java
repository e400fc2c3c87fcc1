// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy;

import io.cutover.api.Artifact;
import io.cutover.api.ArtifactRef;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.VerificationException;
import io.cutover.core.policy.internal.CosignSignatures;
import io.cutover.core.policy.internal.Glob;
import io.cutover.core.policy.internal.Outcome;
import io.cutover.core.policy.internal.PolicyParser;
import io.cutover.core.policy.internal.SlsaProvenance;
import io.cutover.core.policy.internal.VerifiedDigests;
import io.cutover.spi.ArtifactStore;
import io.cutover.spi.ArtifactVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether an artifact may be deployed, and says why: the {@link ArtifactVerifier} the
 * engine runs before a rollout's first side effect.
 *
 * <p><b>Checks</b>, in this order (each only if configured):
 *
 * <ol>
 *   <li>the repository matches an allowed pattern ({@code registry.example.com/team/**}); if not,
 *       the policy fails at once and reads nothing from that repository;
 *   <li>cosign keyed signatures ({@code sha256-<hex>.sig}): at least {@code threshold} distinct
 *       trusted keys signed a payload of type {@code cosign container image signature} naming this
 *       digest;
 *   <li>SLSA provenance v1 ({@code sha256-<hex>.att}): a DSSE envelope signed by a trusted key,
 *       about this digest, from a trusted builder, of an expected build type, from an allowed
 *       source repository and ref;
 *   <li>maximum age, from the artifact's creation time;
 *   <li>forbidden labels (a key, and a value pattern, {@code *} for any value).
 * </ol>
 *
 * Everything is read through the {@link ArtifactStore} SPI, which verifies every byte against its
 * digest.
 *
 * <p><b>Result.</b> {@link #verify} returns one evidence line per check performed, naming what was
 * checked against which keys, builder ids and patterns, for the journal. If any check fails it
 * throws {@link VerificationException} listing every failed check, each line starting with a {@link
 * VerificationReason#code()}. Store failures ({@code ProviderException}, {@code
 * DigestMismatchException}, {@code NoSuchElementException} for the artifact itself) propagate
 * unchanged: an unreachable registry is not a verdict on the artifact.
 *
 * <p><b>Construction.</b> {@link #builder()} in code, or {@link #fromYaml(String, Path)} / {@link
 * #fromJson(String, Path)}; invalid policies are refused with an {@link InvalidSpecException}
 * naming the JSON path. A policy that checks nothing is refused too: use {@link
 * ArtifactVerifier#NONE} to say so explicitly.
 *
 * <p><b>Verified-digest cache.</b> When an artifact passes the signature and provenance checks,
 * their evidence is kept by {@code repository@digest} in this policy instance (by default 1,024
 * entries for one hour; {@link Builder#verifiedDigestCache}), and a later {@link #verify} of the
 * same artifact reuses it without reading the registry, adding an evidence line that says so. This
 * is safe because what those checks establish cannot change for a digest: a digest names immutable
 * content, and a signature (or DSSE envelope) by a key over a payload naming that digest stays
 * valid as long as the policy trusts that key, builder and source. The cache lives in the policy
 * instance, so a policy with other keys, threshold, builders or sources (including the same file
 * read again) starts empty and verifies afresh. Not cached: failures (a signature may be pushed
 * later), the repository check, maximum age (it depends on the clock) and forbidden labels, which
 * run on every call. What a cache hit does not notice is a signature deleted from the registry
 * after it was verified: it counts until the entry expires. Use {@code verifiedDigestCache(0, ...)}
 * where deleting a signature must stop deployments at once.
 *
 * <p><b>Threading.</b> Immutable apart from that cache, and safe for concurrent use; {@link
 * #verify} blocks on the store.
 */
public final class VerificationPolicy implements ArtifactVerifier {
  private final List<String> allowedRepositories;
  private final List<Glob> allowedGlobs;
  private final @Nullable SignatureRequirement signatures;
  private final @Nullable ProvenanceRequirement provenance;
  private final @Nullable Duration maxAge;
  private final Map<String, String> forbiddenLabels;
  private final InstantSource clock;
  private final @Nullable VerifiedDigests verified;

  private VerificationPolicy(Builder b) {
    this.allowedRepositories = List.copyOf(b.allowedRepositories);
    List<Glob> globs = new ArrayList<>();
    for (int i = 0; i < allowedRepositories.size(); i++) {
      globs.add(Glob.of(allowedRepositories.get(i), "allowedRepositories[" + i + "]"));
    }
    this.allowedGlobs = List.copyOf(globs);
    this.signatures = b.signatures;
    this.provenance = b.provenance;
    this.maxAge = b.maxAge;
    this.forbiddenLabels = Map.copyOf(b.forbiddenLabels);
    forbiddenLabels.forEach((k, v) -> Glob.of(v, "forbiddenLabels." + k));
    this.clock = b.clock;
    this.verified =
        b.cacheEntries > 0 && (signatures != null || provenance != null)
            ? new VerifiedDigests(b.cacheEntries, b.cacheTtl, b.clock)
            : null;
  }

  /** An empty builder; at least one check must be configured. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads a policy from YAML. Key files ({@code file:} entries) are resolved against {@code
   * baseDir}.
   *
   * @throws InvalidSpecException naming the JSON path of every problem found
   */
  public static VerificationPolicy fromYaml(String yaml, Path baseDir) {
    return parse(yaml, true, baseDir);
  }

  /** Reads a policy from JSON; see {@link #fromYaml(String, Path)}. */
  public static VerificationPolicy fromJson(String json, Path baseDir) {
    return parse(json, false, baseDir);
  }

  private static VerificationPolicy parse(String text, boolean yaml, Path baseDir) {
    Builder b = builder();
    PolicyParser.parse(
        text,
        yaml,
        baseDir,
        new PolicyParser.Target() {
          @Override
          public void allowRepositories(String... patterns) {
            b.allowRepositories(patterns);
          }

          @Override
          public void requireSignatures(SignatureRequirement requirement) {
            b.requireSignatures(requirement);
          }

          @Override
          public void requireProvenance(ProvenanceRequirement requirement) {
            b.requireProvenance(requirement);
          }

          @Override
          public void maxAge(Duration maxAge) {
            b.maxAge(maxAge);
          }

          @Override
          public void forbidLabel(String key, String valuePattern) {
            b.forbidLabel(key, valuePattern);
          }
        });
    return b.build();
  }

  /**
   * Reads a policy file ({@code .json} as JSON, anything else as YAML); key files are relative to
   * it.
   */
  public static VerificationPolicy fromFile(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new InvalidSpecException(
          file.toString(),
          "cannot be read (" + e.getMessage() + ")",
          "give the path of a readable policy file");
    }
    // An absolute path to a file always has a parent directory.
    Path base = Objects.requireNonNull(file.toAbsolutePath().getParent(), "parent of " + file);
    return file.toString().endsWith(".json") ? fromJson(text, base) : fromYaml(text, base);
  }

  @Override
  public List<String> verify(ArtifactRef ref, ArtifactStore store) {
    List<String> evidence = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    if (!allowedGlobs.isEmpty()) {
      Glob match =
          allowedGlobs.stream().filter(g -> g.matches(ref.repository())).findFirst().orElse(null);
      if (match == null) {
        throw new VerificationException(
            ref.toString(),
            List.of(
                VerificationReason.REPOSITORY_NOT_ALLOWED.line(
                    "repository '"
                        + ref.repository()
                        + "' matches none of "
                        + allowedRepositories
                        + "; nothing was read from it")));
      }
      evidence.add("repository: '" + ref.repository() + "' allowed by '" + match + "'");
    }
    VerifiedDigests.Entry cached = verified == null ? null : verified.get(ref.toString());
    if (cached != null) {
      evidence.addAll(cached.evidence());
      evidence.add(
          "cache: the evidence above was verified at "
              + cached.verifiedAt()
              + " by this policy and not read again from the registry");
    } else {
      List<String> crypto = new ArrayList<>();
      if (signatures != null) {
        collect(CosignSignatures.check(ref, store, signatures), crypto, failures);
      }
      if (provenance != null) {
        collect(SlsaProvenance.check(ref, store, provenance), crypto, failures);
      }
      evidence.addAll(crypto);
      if (verified != null && failures.isEmpty()) {
        verified.put(ref.toString(), crypto);
      }
    }
    if (maxAge != null || !forbiddenLabels.isEmpty()) {
      Artifact artifact = store.describe(ref);
      checkAge(artifact, evidence, failures);
      checkLabels(artifact, evidence, failures);
    }
    if (!failures.isEmpty()) {
      throw new VerificationException(ref.toString(), failures);
    }
    return List.copyOf(evidence);
  }

  private void checkAge(Artifact artifact, List<String> evidence, List<String> failures) {
    if (maxAge == null) {
      return;
    }
    Instant created = artifact.created();
    if (created == null) {
      failures.add(
          VerificationReason.AGE_UNKNOWN.line(
              artifact.ref()
                  + " states no creation time; maximum age "
                  + maxAge
                  + " cannot be checked"));
      return;
    }
    Instant now = clock.instant();
    Duration age = Duration.between(created, now);
    if (age.compareTo(maxAge) > 0) {
      failures.add(
          VerificationReason.AGE_EXCEEDED.line(
              artifact.ref()
                  + " was created "
                  + created
                  + ", "
                  + age
                  + " before "
                  + now
                  + "; maximum age is "
                  + maxAge));
    } else {
      evidence.add(
          "age: created " + created + ", " + age + " old at " + now + ", within " + maxAge);
    }
  }

  private void checkLabels(Artifact artifact, List<String> evidence, List<String> failures) {
    if (forbiddenLabels.isEmpty()) {
      return;
    }
    int before = failures.size();
    forbiddenLabels.forEach(
        (key, pattern) -> {
          String value = artifact.labels().get(key);
          if (value != null && Glob.of(pattern, "forbiddenLabels." + key).matches(value)) {
            failures.add(
                VerificationReason.LABEL_FORBIDDEN.line(
                    artifact.ref()
                        + " has label "
                        + key
                        + "="
                        + value
                        + ", forbidden by pattern '"
                        + pattern
                        + "'"));
          }
        });
    if (failures.size() == before) {
      evidence.add(
          "labels: none of the forbidden labels " + new TreeMap<>(forbiddenLabels) + " present");
    }
  }

  private static void collect(Outcome o, List<String> evidence, List<String> failures) {
    evidence.addAll(o.evidence);
    failures.addAll(o.failures);
  }

  /** The allowed repository patterns; empty allows every repository. */
  public List<String> allowedRepositories() {
    return allowedRepositories;
  }

  /** The signature requirement, if any. */
  public @Nullable SignatureRequirement signatures() {
    return signatures;
  }

  /** The provenance requirement, if any. */
  public @Nullable ProvenanceRequirement provenance() {
    return provenance;
  }

  /** The maximum age, if any. */
  public @Nullable Duration maxAge() {
    return maxAge;
  }

  /** Forbidden labels: key to value pattern. */
  public Map<String, String> forbiddenLabels() {
    return forbiddenLabels;
  }

  @Override
  public String toString() {
    return "VerificationPolicy{repositories="
        + allowedRepositories
        + ", signatures="
        + (signatures == null ? "-" : signatures.threshold() + " of " + signatures.keys())
        + ", provenance="
        + (provenance == null ? "-" : provenance.builderIds())
        + ", maxAge="
        + maxAge
        + ", forbiddenLabels="
        + forbiddenLabels.keySet()
        + "}";
  }

  /** Builds a {@link VerificationPolicy}. Not thread-safe; each requirement may be set once. */
  public static final class Builder {
    private final List<String> allowedRepositories = new ArrayList<>();
    private final Map<String, String> forbiddenLabels = new LinkedHashMap<>();
    private @Nullable SignatureRequirement signatures;
    private @Nullable ProvenanceRequirement provenance;
    private @Nullable Duration maxAge;
    private InstantSource clock = InstantSource.system();
    private int cacheEntries = 1024;
    private Duration cacheTtl = Duration.ofHours(1);

    private Builder() {}

    /** Adds allowed repository patterns (globs over {@code host[:port]/path}). */
    public Builder allowRepositories(String... patterns) {
      for (String p : patterns) {
        Glob.of(p, "allowedRepositories[" + allowedRepositories.size() + "]");
        allowedRepositories.add(p);
      }
      return this;
    }

    /** Requires cosign signatures. */
    public Builder requireSignatures(SignatureRequirement requirement) {
      if (signatures != null) {
        throw new InvalidSpecException(
            "signatures", "is set twice", "configure one signature requirement");
      }
      this.signatures = Objects.requireNonNull(requirement, "requirement");
      return this;
    }

    /** Requires SLSA provenance. */
    public Builder requireProvenance(ProvenanceRequirement requirement) {
      if (provenance != null) {
        throw new InvalidSpecException(
            "provenance", "is set twice", "configure one provenance requirement");
      }
      this.provenance = Objects.requireNonNull(requirement, "requirement");
      return this;
    }

    /**
     * Refuses artifacts created longer ago than {@code maxAge} (and artifacts that state no
     * creation time).
     */
    public Builder maxAge(Duration maxAge) {
      if (maxAge == null || maxAge.isNegative() || maxAge.isZero()) {
        throw new InvalidSpecException(
            "maxAge", "is " + maxAge, "use a positive duration such as 30d");
      }
      if (this.maxAge != null) {
        throw new InvalidSpecException("maxAge", "is set twice", "set it once");
      }
      this.maxAge = maxAge;
      return this;
    }

    /**
     * Refuses artifacts with label {@code key} whose value matches {@code valuePattern} ({@code *}:
     * any value).
     */
    public Builder forbidLabel(String key, String valuePattern) {
      if (key == null || key.isBlank()) {
        throw new InvalidSpecException(
            "forbiddenLabels", "has a blank key", "name the label to forbid");
      }
      Glob.of(valuePattern, "forbiddenLabels." + key);
      forbiddenLabels.put(key, valuePattern);
      return this;
    }

    /**
     * The verified-digest cache (see the class comment): at most {@code maxEntries} artifacts whose
     * signature and provenance checks passed, each reused for {@code ttl}; 1,024 for one hour by
     * default. {@code maxEntries} 0 turns it off: every call reads the registry.
     */
    public Builder verifiedDigestCache(int maxEntries, Duration ttl) {
      if (maxEntries < 0) {
        throw new InvalidSpecException(
            "verifiedDigestCache.maxEntries", "is " + maxEntries, "use 0 (off) or more");
      }
      if (ttl == null || ttl.isNegative() || ttl.isZero()) {
        throw new InvalidSpecException(
            "verifiedDigestCache.ttl", "is " + ttl, "use a positive duration such as 1h");
      }
      this.cacheEntries = maxEntries;
      this.cacheTtl = ttl;
      return this;
    }

    /** The clock that measures artifact age and cache entries; the system clock by default. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the policy.
     *
     * @throws InvalidSpecException if it checks nothing
     */
    public VerificationPolicy build() {
      if (allowedRepositories.isEmpty()
          && signatures == null
          && provenance == null
          && maxAge == null
          && forbiddenLabels.isEmpty()) {
        throw new InvalidSpecException(
            "policy",
            "checks nothing",
            "configure at least one of allowedRepositories, signatures, provenance, maxAge, forbiddenLabels,"
                + " or use ArtifactVerifier.NONE to deploy unverified on purpose");
      }
      return new VerificationPolicy(this);
    }
  }
}
