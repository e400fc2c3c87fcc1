// SPDX-License-Identifier: Apache-2.0
package io.cutover.core;

import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.MutableReferenceException;
import io.cutover.api.TagRef;
import io.cutover.testfixtures.fuzz.Fuzz;
import io.cutover.testfixtures.fuzz.Mutations;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the api's reference parsers {@link TagRef#parse}, {@link ArtifactRef#parse} and {@link
 * Digest#parse} (here rather than in {@code api}, whose tests cannot use the test fixtures: they
 * depend on {@code api}). Refusals are {@link InvalidSpecException}s naming the field, or for a tag
 * where a digest is required a {@link MutableReferenceException}; accepted references print back to
 * the same text and parse to an equal value.
 */
class RefsFuzzTest {
  private static final String HEX =
      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  private static final List<String> SEEDS =
      List.of(
          "registry.example.com:5000/shop/checkout@sha256:" + HEX,
          "127.0.0.1:5000/demo/app:1.0",
          "ghcr.io/org/app:v1.2.3-rc.1",
          "app:latest",
          "localhost/a/b/c@sha512:" + "ab".repeat(64),
          "sha256:" + HEX,
          "[::1]:5000/app@sha256:" + HEX);

  @Provide
  Arbitrary<String> mutatedRefs() {
    return Mutations.text(SEEDS);
  }

  @Property
  void tagRefs(@ForAll("mutatedRefs") String text) {
    Fuzz.Outcome<TagRef> out =
        Fuzz.run("tag_ref", text, () -> TagRef.parse(text), InvalidSpecException.class);
    if (out.accepted()) {
      TagRef ref = out.value();
      if (!TagRef.parse(ref.toString()).equals(ref)) {
        throw Fuzz.unexpected("tag_ref", text, "does not round-trip: " + ref);
      }
    }
  }

  @Property
  void artifactRefs(@ForAll("mutatedRefs") String text) {
    Fuzz.Outcome<ArtifactRef> out =
        Fuzz.run(
            "artifact_ref",
            text,
            () -> ArtifactRef.parse(text),
            InvalidSpecException.class,
            MutableReferenceException.class);
    if (out.accepted()) {
      ArtifactRef ref = out.value();
      if (!ArtifactRef.parse(ref.toString()).equals(ref)
          || !ref.toString().equals(ref.repository() + "@" + ref.digest())) {
        throw Fuzz.unexpected("artifact_ref", text, "does not round-trip: " + ref);
      }
    }
  }

  @Property
  void digests(@ForAll("mutatedRefs") String text) {
    Fuzz.Outcome<Digest> out =
        Fuzz.run("digest", text, () -> Digest.parse(text), InvalidSpecException.class);
    if (out.accepted() && !Digest.parse(out.value().toString()).equals(out.value())) {
      throw Fuzz.unexpected("digest", text, "does not round-trip: " + out.value());
    }
  }
}
