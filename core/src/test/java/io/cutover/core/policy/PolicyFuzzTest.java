// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.policy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.api.InvalidSpecException;
import io.cutover.testfixtures.CosignFixtures;
import io.cutover.testfixtures.fuzz.Fuzz;
import io.cutover.testfixtures.fuzz.Mutations;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the verification policy reader ({@link VerificationPolicy#fromJson} and {@link
 * VerificationPolicy#fromYaml}): a mutated policy is read, or refused with an {@link
 * InvalidSpecException} whose every violation has a JSON path (or {@code policy} for a document
 * that checks nothing at all). YAML inputs add YAML's own tricks: anchors and aliases (a "billion
 * laughs" expansion), tags, merge keys.
 */
class PolicyFuzzTest {
  private static final Path BASE = Path.of("target", "policy-fuzz-no-such-dir");
  private static final List<String> SEEDS = seeds();

  private static List<String> seeds() {
    String pem = CosignFixtures.pem(CosignFixtures.newKey());
    ObjectMapper json = new ObjectMapper();
    ObjectNode full = json.createObjectNode();
    full.putArray("allowedRepositories").add("registry.example.com/team/**").add("ghcr.io/*");
    ObjectNode sig = full.putObject("signatures");
    sig.put("threshold", 1);
    sig.putArray("keys").addObject().put("name", "release").put("pem", pem);
    ObjectNode prov = full.putObject("provenance");
    prov.putArray("builderIds").add("https://github.com/slsa-framework/**");
    prov.putArray("buildTypes").add("https://example.com/build/v1");
    prov.putArray("sourceRepositories").add("git+https://github.com/team/*");
    prov.putArray("sourceRefs").add("refs/heads/main").add("refs/tags/v*");
    full.put("maxAge", "30d");
    full.putObject("forbiddenLabels").put("org.opencontainers.image.title", "*-debug");
    ObjectNode file = json.createObjectNode();
    file.putObject("signatures").putArray("keys").addObject().put("name", "k").put("file", "k.pub");
    return List.of(
        full.toString(),
        file.toString(),
        "{\"maxAge\":\"PT12H\",\"allowedRepositories\":\"one/*\"}",
        "{}");
  }

  @Provide
  Arbitrary<String> mutatedPolicies() {
    return Mutations.json(SEEDS);
  }

  @Provide
  Arbitrary<String> yamlPolicies() {
    return Mutations.json(SEEDS)
        .map(
            s ->
                s.hashCode() % 7 == 0
                    ? "a: &a [x, x, x, x, x, x, x, x, x]\n"
                        + "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                        + "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                        + "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                        + "allowedRepositories: *d\n"
                    : s.hashCode() % 7 == 1
                        ? "maxAge: !!binary aGVsbG8=\nforbiddenLabels: {<<: {a: b}}\n"
                        : s);
  }

  @Property
  void jsonPolicies(@ForAll("mutatedPolicies") String text) {
    check("policy_json", text, false);
  }

  @Property
  void yamlPolicies(@ForAll("yamlPolicies") String text) {
    check("policy_yaml", text, true);
  }

  private static void check(String parser, String text, boolean yaml) {
    Fuzz.Outcome<VerificationPolicy> out =
        Fuzz.run(
            parser,
            text,
            () ->
                yaml
                    ? VerificationPolicy.fromYaml(text, BASE)
                    : VerificationPolicy.fromJson(text, BASE),
            InvalidSpecException.class);
    if (!out.accepted()) {
      for (InvalidSpecException.Violation v : ((InvalidSpecException) out.refusal()).violations()) {
        Fuzz.require(
            v.path().startsWith("$") || v.path().equals("policy"),
            parser,
            text,
            () -> "not a JSON path: " + v);
      }
    }
  }
}
