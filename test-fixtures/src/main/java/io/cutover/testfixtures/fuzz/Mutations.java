// SPDX-License-Identifier: Apache-2.0
package io.cutover.testfixtures.fuzz;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * jqwik arbitraries over {@link Mutator}: a valid seed, picked at random, then mutated. One in
 * twenty values is a seed unchanged, so every property also sees valid inputs. The values come from
 * jqwik's own random source, so a failing property's seed reproduces it.
 */
public final class Mutations {
  private Mutations() {}

  /** Mutated JSON documents (tree and text mutations). */
  public static Arbitrary<String> json(List<String> seeds) {
    return Arbitraries.randomValue(
        r -> {
          String seed = Mutator.pick(seeds, r);
          return r.nextInt(20) == 0 ? seed : Mutator.json(seed, r);
        });
  }

  /** Mutated text (byte-level on UTF-8, hostile strings, replaced tokens, duplicated lines). */
  public static Arbitrary<String> text(List<String> seeds) {
    return Arbitraries.randomValue(
        r -> {
          String seed = Mutator.pick(seeds, r);
          return r.nextInt(20) == 0 ? seed : Mutator.text(seed, r);
        });
  }

  /** Mutated bytes. */
  public static Arbitrary<byte[]> bytes(List<byte[]> seeds) {
    return Arbitraries.randomValue(
        r -> {
          byte[] seed = Mutator.pick(seeds, r);
          return r.nextInt(20) == 0 ? seed.clone() : Mutator.bytes(seed, r);
        });
  }
}
