// SPDX-License-Identifier: Apache-2.0
package io.cutover.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The parser's only failure is a {@link SpecException} with positioned problems: on the example
 * specs with random characters inserted, deleted or replaced, it never throws anything else (no
 * NullPointerException, no ArithmeticException, no Jackson exception) and never hangs.
 */
class SpecFuzzProperties {
  private static final List<String> EXAMPLES = load();
  private static final String ALPHABET = " \n\t:-[]{},'\"#&*!|>%@`0123456789abcxyz";

  private static List<String> load() {
    return SpecSchema.examples().stream().map(SpecSchema.Example::text).toList();
  }

  @Property
  void editedSpecsParseOrFailWithPositionedProblems(@ForAll long seed) {
    Random r = new Random(seed);
    StringBuilder text = new StringBuilder(EXAMPLES.get(r.nextInt(EXAMPLES.size())));
    int edits = 1 + r.nextInt(4);
    for (int i = 0; i < edits && text.length() > 0; i++) {
      int at = r.nextInt(text.length());
      char c = ALPHABET.charAt(r.nextInt(ALPHABET.length()));
      switch (r.nextInt(3)) {
        case 0 -> text.insert(at, c);
        case 1 -> text.deleteCharAt(at);
        default -> text.setCharAt(at, c);
      }
    }
    try {
      CutoverSpec.parse(text.toString(), "fuzz.yaml");
    } catch (SpecException e) {
      assertThat(e.problems()).isNotEmpty();
      assertThat(e.problems()).allSatisfy(p -> assertThat(p.path()).startsWith("$"));
    }
  }

  @Property(tries = 20)
  void durationsTooLongForJavaAreRefusedNotThrown(@ForAll long seed) {
    String huge = "999999999d".repeat(30 + new Random(seed).nextInt(30));
    String spec =
        EXAMPLES.get(0).replaceFirst("(?m)^(\\s*)scaleDownDelay: .*$", "$1scaleDownDelay: " + huge);
    try {
      CutoverSpec.parse(spec, "huge.yaml");
    } catch (SpecException e) {
      assertThat(e.getMessage()).contains("is not a duration");
    }
  }
}
