// SPDX-License-Identifier: Apache-2.0
package io.cutover.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example spec in docs/ and in the test resources is valid under the JSON Schema (checked by
 * a draft 2020-12 validator) and is accepted by the parser.
 */
class SpecSchemaTest {

  static List<SpecSchema.Example> examples() {
    return SpecSchema.examples();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void everyExampleIsSchemaValidAndParses(SpecSchema.Example example) {
    assertThat(SpecSchema.validate(SpecSchema.yaml(example.text()))).isEmpty();
    assertThat(CutoverSpec.parse(example.text(), example.source()).service()).isNotBlank();
  }

  @Test
  void theDocsHaveExamplesToCheck() {
    assertThat(examples())
        .extracting(SpecSchema.Example::source)
        .anyMatch(s -> s.startsWith("docs/spec.md"))
        .anyMatch(s -> s.equals("docs/examples/shop.yaml"))
        .anyMatch(s -> s.startsWith("spec/src/test/resources/specs/all-gates.yaml"));
  }

  @Test
  void theSchemaRefusesWhatTheParserRefuses() {
    String bad =
        """
        apiVersion: cutover.io/v1
        service: checkout
        artifact: {tag: "registry.example.com/a:1"}
        replicas: 0
        strategy: {canary: {stpes: []}}
        providers: {fleet: {type: fake}}
        """;
    assertThat(SpecSchema.validate(SpecSchema.yaml(bad))).isNotEmpty();
    assertThat(CutoverSpecTest.problems(bad).problems()).hasSizeGreaterThan(3);
  }
}
