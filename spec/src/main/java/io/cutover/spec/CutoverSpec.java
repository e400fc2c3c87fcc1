// SPDX-License-Identifier: Apache-2.0
package io.cutover.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.cutover.api.ArtifactRef;
import io.cutover.api.ConfigRef;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Release;
import io.cutover.api.TagRef;
import io.cutover.core.ProviderConfigs;
import io.cutover.core.ProviderRegistry;
import io.cutover.core.RolloutOptions;
import io.cutover.core.policy.VerificationPolicy;
import io.cutover.spec.internal.Locations;
import io.cutover.spec.internal.SpecReader;
import io.cutover.spec.internal.Suggestions;
import io.cutover.spi.ArtifactStoreProvider;
import io.cutover.spi.FleetProvider;
import io.cutover.spi.HealthGateProvider;
import io.cutover.spi.JournalProvider;
import io.cutover.spi.MetricSourceProvider;
import io.cutover.spi.ProviderFactory;
import io.cutover.spi.RolloutStrategy;
import io.cutover.spi.RouterProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One service's rollout, as written in {@code cutover.yaml} ({@code apiVersion: cutover.io/v1};
 * docs/spec.md): the artifact, configuration and secret references, replicas, the strategy (built
 * with the core's strategy builders, so every builder rule applies), the gates and metric sources,
 * the providers by name with their settings, the verification policy and rollout options.
 *
 * <p><b>Parsing.</b> {@link #parse(Path)} reads the whole file and reports every problem at once in
 * a {@link SpecException}: YAML syntax, unknown keys (with a "did you mean" suggestion), wrong
 * types, missing keys, the strategy builders' own rules, undefined gate and metric source names,
 * literal secrets in the configuration. Each problem has the file, line, column and JSON path.
 * Parsing does no I/O besides reading the file (and the verification policy's key files).
 *
 * <p><b>Providers.</b> The spec names providers; {@link #check(ProviderRegistry)} proves the names
 * exist in a registry and builds every gate (which validates its settings) without touching any
 * system, and {@link SpecEngine} creates the providers and the engine.
 *
 * <p><b>Threading.</b> Immutable and thread-safe.
 */
public final class CutoverSpec {
  /** The apiVersion this version of the library reads. */
  public static final String API_VERSION = SpecReader.API_VERSION;

  /** The largest spec file accepted, in bytes (1 MiB): a spec is a page, not a data set. */
  public static final int MAX_BYTES = 1 << 20;

  private final String file;
  private final Locations locations;
  private final SpecReader.Parsed spec;

  private CutoverSpec(String file, Locations locations, SpecReader.Parsed spec) {
    this.file = file;
    this.locations = locations;
    this.spec = spec;
  }

  /**
   * Reads a spec file; the verification policy's key files are relative to its directory.
   *
   * @throws SpecException listing every problem (including a file that cannot be read)
   */
  public static CutoverSpec parse(Path file) {
    String name = file.toString();
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw single(
            name,
            "$",
            "is larger than " + MAX_BYTES + " bytes",
            "split the file: a spec" + " describes one service");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw single(name, "$", "does not exist", "give the path of a cutover.yaml");
    } catch (IOException e) {
      throw single(
          name,
          "$",
          "cannot be read (" + e.getMessage() + ")",
          "give the path of a readable cutover.yaml");
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(new String(bytes, StandardCharsets.UTF_8), name, dir == null ? Path.of("") : dir);
  }

  /** Reads spec text; {@code fileName} is used in messages, key files are relative to the cwd. */
  public static CutoverSpec parse(String yaml, String fileName) {
    return parse(yaml, fileName, Path.of("").toAbsolutePath());
  }

  /**
   * Reads spec text (YAML, or JSON, which is YAML too).
   *
   * @param yaml the document
   * @param fileName the name used in messages
   * @param baseDir where the verification policy's key files are resolved
   * @throws SpecException listing every problem
   */
  public static CutoverSpec parse(String yaml, String fileName, Path baseDir) {
    if (yaml.length() > MAX_BYTES) {
      throw single(fileName, "$", "is larger than " + MAX_BYTES + " bytes", "split the file");
    }
    ObjectMapper mapper =
        YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    JsonNode root;
    try {
      root = mapper.readTree(yaml);
    } catch (JsonProcessingException e) {
      JsonLocation l = e.getLocation();
      throw new SpecException(
          List.of(
              new SpecProblem(
                  fileName,
                  l == null ? 0 : Math.max(0, l.getLineNr()),
                  l == null ? 0 : Math.max(0, l.getColumnNr()),
                  "$",
                  "is not valid YAML: " + e.getOriginalMessage(),
                  "fix the syntax at that position (a duplicate key, a bad indent, an unclosed"
                      + " quote)")));
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw single(fileName, "$", "is empty", "start with apiVersion: " + API_VERSION);
    }
    Locations locations = Locations.of(mapper, yaml);
    SpecReader reader = new SpecReader(mapper, baseDir);
    SpecReader.Parsed parsed = reader.read(root);
    if (parsed == null) {
      throw toException(fileName, locations, reader.problems());
    }
    return new CutoverSpec(fileName, locations, parsed);
  }

  private static SpecException single(String file, String path, String problem, String fix) {
    return new SpecException(List.of(new SpecProblem(file, 0, 0, path, problem, fix)));
  }

  private static SpecException toException(
      String file, Locations locations, List<SpecReader.Problem> problems) {
    List<SpecProblem> out = new ArrayList<>();
    for (SpecReader.Problem p : problems) {
      Locations.Position at = locations.find(p.path());
      out.add(new SpecProblem(file, at.line(), at.column(), p.path(), p.problem(), p.fix()));
    }
    out.sort(Comparator.comparingInt(SpecProblem::line).thenComparingInt(SpecProblem::column));
    return new SpecException(out);
  }

  /** The problems of an {@link InvalidSpecException} raised by a provider, located in the file. */
  SpecException locate(InvalidSpecException e) {
    List<SpecReader.Problem> problems = new ArrayList<>();
    for (InvalidSpecException.Violation v : e.violations()) {
      problems.add(new SpecReader.Problem(v.path(), v.problem(), v.fix()));
    }
    return toException(file, locations, problems);
  }

  /**
   * Proves, without touching any system, that the registry has every provider the spec names
   * (fleet, router, store, journal, metric sources, gates) and that every gate's settings are
   * accepted by its provider (the gate is created, which does no I/O, and dropped).
   *
   * @throws SpecException listing every unknown provider (with a suggestion) and every rejected
   *     gate setting, located in the file
   */
  public void check(ProviderRegistry registry) {
    List<SpecReader.Problem> problems = new ArrayList<>();
    known(registry, FleetProvider.class, spec.fleet(), problems);
    known(registry, RouterProvider.class, spec.router(), problems);
    if (spec.store() != null) {
      known(registry, ArtifactStoreProvider.class, spec.store(), problems);
    }
    if (spec.journal() != null) {
      known(registry, JournalProvider.class, spec.journal(), problems);
    }
    for (SpecReader.Entry m : spec.metrics().values()) {
      known(registry, MetricSourceProvider.class, m, problems);
    }
    for (SpecReader.Entry g : spec.gates().values()) {
      if (known(registry, HealthGateProvider.class, g, problems)) {
        try {
          registry.healthGate(g.type(), ProviderConfigs.of(g.type(), g.path(), g.values()));
        } catch (InvalidSpecException e) {
          for (InvalidSpecException.Violation v : e.violations()) {
            problems.add(new SpecReader.Problem(v.path(), v.problem(), v.fix()));
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      throw toException(file, locations, problems);
    }
  }

  private static boolean known(
      ProviderRegistry registry,
      Class<? extends ProviderFactory<?>> kind,
      SpecReader.Entry e,
      List<SpecReader.Problem> problems) {
    Set<String> names = registry.names(kind);
    if (names.contains(e.type())) {
      return true;
    }
    problems.add(
        new SpecReader.Problem(
            e.path() + ".type",
            "names '" + e.type() + "', which is not a registered " + kind.getSimpleName(),
            Suggestions.fix(e.type(), names, "providers")
                + "; or put the provider's module on the class path"));
    return false;
  }

  /** The file name given to the parser. */
  public String file() {
    return file;
  }

  /** The service. */
  public String service() {
    return spec.service();
  }

  /** The artifact's tag, if the spec names a tag (resolved once through the store). */
  public Optional<TagRef> tag() {
    return Optional.ofNullable(spec.tag());
  }

  /** The artifact's digest, if the spec names one. */
  public Optional<ArtifactRef> digest() {
    return Optional.ofNullable(spec.digest());
  }

  /** The release's configuration, secrets as {@code ${secret:NAME}} references (never values). */
  public Map<String, String> config() {
    return Map.copyOf(spec.config());
  }

  /** The keys of {@link #config()} that are secret references. */
  public Set<String> secretKeys() {
    return Set.copyOf(spec.secretKeys());
  }

  /** The configuration's reference: part of the release's identity. */
  public ConfigRef configRef() {
    return spec.configRef();
  }

  /** The release of {@code artifact} with this spec's service and configuration. */
  public Release release(ArtifactRef artifact) {
    return Release.of(spec.service(), artifact, spec.configRef());
  }

  /** Instances at full scale. */
  public int replicas() {
    return spec.replicas();
  }

  /** The strategy, built and validated by the core's builder. */
  public RolloutStrategy strategy() {
    return spec.strategy();
  }

  /** The fleet provider. */
  public ProviderSpec fleet() {
    return provider(spec.fleet());
  }

  /** The router provider. */
  public ProviderSpec router() {
    return provider(spec.router());
  }

  /** The artifact store provider, if any (required for tags and verification). */
  public Optional<ProviderSpec> store() {
    SpecReader.Entry e = spec.store();
    return e == null ? Optional.empty() : Optional.of(provider(e));
  }

  /** The journal provider, if any (default: an in-memory journal). */
  public Optional<ProviderSpec> journal() {
    SpecReader.Entry e = spec.journal();
    return e == null ? Optional.empty() : Optional.of(provider(e));
  }

  /**
   * The gates by name, each with its provider and settings ({@code name} set to the key, {@code
   * source: <name>} replaced by that metric source's definition).
   */
  public Map<String, ProviderSpec> gates() {
    return providers(spec.gates());
  }

  /** The metric sources defined under {@code metrics}, by name. */
  public Map<String, ProviderSpec> metrics() {
    return providers(spec.metrics());
  }

  /** The verification policy, if the spec has one. */
  public Optional<VerificationPolicy> verification() {
    return Optional.ofNullable(spec.verification());
  }

  /** The rollout options (progress deadline, initiator, annotations). */
  public RolloutOptions options() {
    return spec.options();
  }

  /** The engine's history limit, if set. */
  public OptionalInt historyLimit() {
    Integer l = spec.historyLimit();
    return l == null ? OptionalInt.empty() : OptionalInt.of(l);
  }

  /** The service's revision history limit, if set. */
  public OptionalInt revisionHistoryLimit() {
    Integer l = spec.revisionHistoryLimit();
    return l == null ? OptionalInt.empty() : OptionalInt.of(l);
  }

  private static ProviderSpec provider(SpecReader.Entry e) {
    return new ProviderSpec(e.type(), ProviderConfigs.of(e.type(), e.path(), e.values()));
  }

  private static Map<String, ProviderSpec> providers(Map<String, SpecReader.Entry> entries) {
    Map<String, ProviderSpec> out = new LinkedHashMap<>();
    entries.forEach((k, v) -> out.put(k, provider(v)));
    return Collections.unmodifiableMap(out);
  }

  /** E.g. {@code cutover.yaml: checkout, canary[...], 4 replicas}; never a config value. */
  @Override
  public String toString() {
    @Nullable TagRef t = spec.tag();
    return file
        + ": "
        + spec.service()
        + " "
        + (t != null ? t : String.valueOf(spec.digest()))
        + ", "
        + spec.strategy()
        + ", "
        + spec.replicas()
        + " replicas";
  }
}
