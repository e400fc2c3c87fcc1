// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.cutover.api.InvalidSpecException;
import io.cutover.core.internal.provider.MapProviderConfig;
import io.cutover.core.policy.ProvenanceRequirement;
import io.cutover.core.policy.SignatureRequirement;
import io.cutover.core.policy.TrustedKey;
import io.cutover.spi.ProviderConfig;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads a verification policy document (YAML or JSON) into a {@link Target}, in document order.
 * Every error is an {@link InvalidSpecException} whose path is the JSON path in the document.
 *
 * <p>The parser knows the requirement value types but not the policy class: {@code
 * VerificationPolicy} hands it a {@link Target} over its builder, so the public class depends on
 * this one and not back.
 *
 * <pre>
 * allowedRepositories: ["registry.example.com/team/**"]
 * signatures:
 *   threshold: 1
 *   keys:
 *     - name: release
 *       file: keys/release.pub        # or pem: |  -----BEGIN PUBLIC KEY----- ...
 * provenance:
 *   keys: [...]                       # default: the signature keys
 *   builderIds: ["https://github.com/slsa-framework/slsa-github-generator/**"]
 *   buildTypes: [...]
 *   sourceRepositories: ["git+https://github.com/team/*"]
 *   sourceRefs: ["refs/heads/main", "refs/tags/v*"]
 * maxAge: 30d
 * forbiddenLabels: {"org.opencontainers.image.title": "*-debug"}
 * </pre>
 */
public final class PolicyParser {
  private static final String NAME = "verification-policy";
  private static final Set<String> TOP =
      Set.of("allowedRepositories", "signatures", "provenance", "maxAge", "forbiddenLabels");

  private PolicyParser() {}

  /**
   * Receives each setting as it is read; the methods may throw {@link InvalidSpecException} to
   * refuse one.
   */
  public interface Target {
    void allowRepositories(String... patterns);

    void requireSignatures(SignatureRequirement requirement);

    void requireProvenance(ProvenanceRequirement requirement);

    void maxAge(Duration maxAge);

    void forbidLabel(String key, String valuePattern);
  }

  /** Reads {@code text} into {@code b}; key files are resolved against {@code baseDir}. */
  @SuppressWarnings("unchecked")
  public static void parse(String text, boolean yaml, Path baseDir, Target b) {
    // A key given twice would silently let the second value win (a second maxAge, a signatures
    // block that drops the first): refused, as PlanJson does.
    ObjectMapper mapper =
        yaml
            ? YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()
            : JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    Map<String, Object> doc;
    try {
      JsonNode root = mapper.readTree(text == null ? "" : text);
      if (root == null || !root.isObject()) {
        throw new InvalidSpecException(
            "$",
            "is not a " + (yaml ? "YAML mapping" : "JSON object"),
            "write the policy as a mapping with keys such as signatures and provenance");
      }
      doc = mapper.convertValue(root, Map.class);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String original = String.valueOf(e.getOriginalMessage());
      if (original.startsWith("Duplicate field")) {
        throw new InvalidSpecException(
            "$",
            "gives a key twice"
                + (at == null
                    ? ""
                    : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
                + ": "
                + original.substring("Duplicate field ".length())
                + " — the second value would silently replace the first",
            "keep one of the two entries");
      }
      throw new InvalidSpecException(
          "$",
          "is not valid "
              + (yaml ? "YAML" : "JSON")
              + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
              + ": "
              + e.getOriginalMessage(),
          "fix the syntax there");
    }
    ProviderConfig c = MapProviderConfig.of(NAME, "$", doc).requireOnly(TOP);
    List<String> repositories = c.getStringList("allowedRepositories");
    at(
        c.pathOf("allowedRepositories"),
        () -> b.allowRepositories(repositories.toArray(String[]::new)));
    List<TrustedKey> signatureKeys = List.of();
    if (c.has("signatures")) {
      ProviderConfig s = c.getConfig("signatures").requireOnly(Set.of("keys", "threshold"));
      signatureKeys = keys(s, "keys", baseDir);
      List<TrustedKey> keys = signatureKeys;
      b.requireSignatures(
          at(s.path(), () -> new SignatureRequirement(keys, s.getInt("threshold", 1))));
    }
    if (c.has("provenance")) {
      ProviderConfig p =
          c.getConfig("provenance")
              .requireOnly(
                  Set.of("keys", "builderIds", "buildTypes", "sourceRepositories", "sourceRefs"));
      List<TrustedKey> keys = p.has("keys") ? keys(p, "keys", baseDir) : signatureKeys;
      if (keys.isEmpty()) {
        throw new InvalidSpecException(
            p.pathOf("keys"),
            "is missing and no signature keys are configured",
            "list the keys trusted to sign attestations");
      }
      b.requireProvenance(
          at(
              p.path(),
              () ->
                  new ProvenanceRequirement(
                      keys,
                      p.getStringList("builderIds"),
                      p.getStringList("buildTypes"),
                      p.getStringList("sourceRepositories"),
                      p.getStringList("sourceRefs"))));
    }
    if (c.has("maxAge")) {
      Duration maxAge = c.requireDuration("maxAge");
      at(c.pathOf("maxAge"), () -> b.maxAge(maxAge));
    }
    ProviderConfig labels = c.getConfig("forbiddenLabels");
    for (String key : labels.keys()) {
      String pattern = labels.requireString(key);
      at(labels.pathOf(key), () -> b.forbidLabel(key, pattern));
    }
  }

  private static List<TrustedKey> keys(ProviderConfig parent, String key, Path baseDir) {
    Object raw = parent.asMap().get(key);
    String path = parent.pathOf(key);
    if (!(raw instanceof List<?> list) || list.isEmpty()) {
      throw new InvalidSpecException(
          path,
          raw == null ? "is missing" : "is not a non-empty list",
          "list keys as [{name: release, file: release.pub}] or with pem: instead of file:");
    }
    List<TrustedKey> keys = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String at = path + "[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?> m)) {
        throw new InvalidSpecException(
            at, "is not a mapping", "write {name: ..., file: ...} or {name: ..., pem: ...}");
      }
      Map<String, Object> entry = new LinkedHashMap<>();
      m.forEach((k, v) -> entry.put(String.valueOf(k), v));
      ProviderConfig k =
          MapProviderConfig.of(NAME, at, entry).requireOnly(Set.of("name", "pem", "file"));
      String name = k.requireString("name");
      if (k.has("pem") == k.has("file")) {
        throw new InvalidSpecException(
            at,
            "needs exactly one of 'pem' and 'file'",
            "give the PEM text inline (pem: |) or the path of a PEM file (file:)");
      }
      keys.add(
          k.has("pem")
              ? TrustedKey.fromPem(name, k.requireString("pem"), k.pathOf("pem"))
              : fromFile(name, baseDir, k.requireString("file"), k.pathOf("file")));
    }
    return keys;
  }

  /**
   * Reads a key file named at {@code path} in the document. Errors name the document path, with the
   * file in the message: the file system path alone does not say which entry of the policy is
   * wrong.
   */
  private static TrustedKey fromFile(String name, Path baseDir, String file, String path) {
    Path resolved;
    try {
      resolved = baseDir.resolve(file);
    } catch (InvalidPathException e) {
      throw new InvalidSpecException(
          path,
          "is not a valid file path (" + e.getReason() + ")",
          "give the path of a readable PEM public key file");
    }
    try {
      return TrustedKey.fromFile(name, resolved);
    } catch (InvalidSpecException e) {
      List<InvalidSpecException.Violation> rooted = new ArrayList<>();
      for (InvalidSpecException.Violation v : e.violations()) {
        rooted.add(
            new InvalidSpecException.Violation(path, v.path() + ": " + v.problem(), v.fix()));
      }
      throw new InvalidSpecException(rooted);
    }
  }

  /**
   * Runs a builder call, reporting its refusals at the document path {@code path} (the builder
   * names its own parameter, e.g. {@code forbiddenLabels}, which does not say where in the
   * document).
   */
  private static void at(String path, Runnable call) {
    try {
      call.run();
    } catch (InvalidSpecException e) {
      List<InvalidSpecException.Violation> rooted = new ArrayList<>();
      for (InvalidSpecException.Violation v : e.violations()) {
        rooted.add(new InvalidSpecException.Violation(path, v.path() + " " + v.problem(), v.fix()));
      }
      throw new InvalidSpecException(rooted);
    }
  }

  /** Re-roots the paths of a value type's violations at the document path {@code base}. */
  private static <T> T at(String base, Supplier<T> build) {
    try {
      return build.get();
    } catch (InvalidSpecException e) {
      List<InvalidSpecException.Violation> rooted = new ArrayList<>();
      for (InvalidSpecException.Violation v : e.violations()) {
        String leaf =
            v.path().contains(".") ? v.path().substring(v.path().indexOf('.') + 1) : v.path();
        rooted.add(new InvalidSpecException.Violation(base + "." + leaf, v.problem(), v.fix()));
      }
      throw new InvalidSpecException(rooted);
    }
  }
}
