// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cutover.api.Artifact;
import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.DigestMismatchException;
import io.cutover.api.TagRef;
import io.cutover.spi.ArtifactStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link ArtifactStore}: tags resolve to what was last pushed under them, artifacts
 * are described and served under their own reference, served content always hashes to its digest,
 * unknown names are {@link NoSuchElementException}, pins are idempotent, and tampered content is
 * refused.
 *
 * <p>Extend it and implement {@link #createStore()} and {@link #seed(String, String, byte[])},
 * which puts content into the store under a tag the way your users would (for a registry: push an
 * image whose payload is the content). The digest of the returned reference is the store's (for
 * OCI, the manifest's), not necessarily {@code sha256(content)}: the kit only requires what {@link
 * ArtifactStore#fetch} serves to hash to it. A store that can be made to serve corrupted content
 * overrides {@link #corrupt(ArtifactStore, ArtifactRef)} to enable the tamper tests, which are
 * skipped otherwise.
 */
@DisplayName("ArtifactStore contract")
@DisplayNameGeneration(KitDisplayNames.class)
public abstract class ArtifactStoreContract {

  private final String run = KitSupport.runId();
  private @Nullable ArtifactStore store;

  /** An empty store, or one without the kit's repositories. Called once before each test. */
  protected abstract ArtifactStore createStore();

  /**
   * Puts {@code content} into {@code repository} under {@code tag} and returns the reference the
   * store gave it.
   */
  protected abstract ArtifactRef seed(String repository, String tag, byte[] content);

  /**
   * Makes the store hold content for {@code ref} that no longer hashes to its digest; returns false
   * (the default) if it cannot, which skips the tamper tests.
   */
  protected boolean corrupt(ArtifactStore store, ArtifactRef ref) {
    return false;
  }

  /** Prepended to the kit's repository names, e.g. {@code 127.0.0.1:5000/} for a registry. */
  protected String repositoryPrefix() {
    return "";
  }

  /** A repository name unique to this test. */
  protected final String repository(String name) {
    return repositoryPrefix() + "contract/" + name + "-" + run;
  }

  @BeforeEach
  void createTheStore() {
    store = createStore();
    assertThat(store).as("createStore()").isNotNull();
  }

  /** The store under test. */
  protected final ArtifactStore store() {
    if (store == null) {
      throw new IllegalStateException("no store: createStore() runs before each test");
    }
    return store;
  }

  private static byte[] content(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private byte[] fetchAll(ArtifactRef ref) {
    try (InputStream in = store().fetch(ref)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ArtifactRef neverSeeded(String repository) {
    return new ArtifactRef(repository, Digest.sha256("never seeded " + run));
  }

  @Nested
  @KitGroup("resolving tags")
  class Resolving {
    @Test
    @DisplayName("a tag resolves to the reference of the content seeded under it")
    void resolve() {
      String repo = repository("app");
      ArtifactRef ref = seed(repo, "1.0", content("release one"));
      assertThat(ref.repository()).isEqualTo(repo);
      assertThat(store().resolve(new TagRef(repo, "1.0"))).isEqualTo(ref);
    }

    @Test
    @DisplayName("a moved tag resolves to its new target, and the old artifact stays reachable")
    void movedTag() {
      String repo = repository("app");
      ArtifactRef first = seed(repo, "latest", content("first"));
      ArtifactRef second = seed(repo, "latest", content("second"));
      assertThat(second).isNotEqualTo(first);
      assertThat(store().resolve(new TagRef(repo, "latest"))).isEqualTo(second);
      assertThat(store().describe(first).ref()).isEqualTo(first);
    }

    @Test
    @DisplayName("an unknown tag is NoSuchElementException")
    void unknownTag() {
      String repo = repository("app");
      seed(repo, "1.0", content("exists"));
      assertThatThrownBy(() -> store().resolve(new TagRef(repo, "9.9")))
          .isInstanceOf(NoSuchElementException.class);
    }
  }

  @Nested
  @KitGroup("describing and fetching")
  class Fetching {
    @Test
    @DisplayName(
        "describes an artifact under its own reference, with a size that matches its content")
    void describe() {
      ArtifactRef ref = seed(repository("app"), "1.0", content("describe me"));
      Artifact a = store().describe(ref);
      assertThat(a.ref()).isEqualTo(ref);
      assertThat(a.mediaType()).isNotBlank();
      if (a.size() >= 0) {
        assertThat(a.size()).isEqualTo(fetchAll(ref).length);
      }
    }

    @Test
    @DisplayName("serves content that hashes to the reference's digest")
    void fetchMatchesDigest() {
      ArtifactRef ref = seed(repository("app"), "1.0", content("payload ".repeat(1000)));
      byte[] bytes = fetchAll(ref);
      assertThat(ref.digest().matches(bytes))
          .as("served content hashes to %s", ref.digest())
          .isTrue();
    }

    @Test
    @DisplayName("different content gets a different reference and serves different bytes")
    void distinct() {
      String repo = repository("app");
      ArtifactRef a = seed(repo, "a", content("alpha"));
      ArtifactRef b = seed(repo, "b", content("beta"));
      assertThat(a).isNotEqualTo(b);
      assertThat(fetchAll(a)).isNotEqualTo(fetchAll(b));
    }

    @Test
    @DisplayName("verify accepts intact content and describes it")
    void verifyIntact() {
      ArtifactRef ref = seed(repository("app"), "1.0", content("intact"));
      assertThat(store().verify(ref).ref()).isEqualTo(ref);
    }

    @Test
    @DisplayName("an unknown artifact is NoSuchElementException for describe, fetch and verify")
    void unknownArtifact() {
      String repo = repository("app");
      seed(repo, "1.0", content("exists"));
      ArtifactRef missing = neverSeeded(repo);
      assertThatThrownBy(() -> store().describe(missing))
          .isInstanceOf(NoSuchElementException.class);
      assertThatThrownBy(() -> fetchAll(missing)).isInstanceOf(NoSuchElementException.class);
      assertThatThrownBy(() -> store().verify(missing)).isInstanceOf(NoSuchElementException.class);
    }
  }

  @Nested
  @KitGroup("listing")
  class Listing {
    @Test
    @DisplayName("lists every artifact seeded in a repository, and only those")
    void list() {
      String repo = repository("app");
      ArtifactRef a = seed(repo, "1.0", content("one"));
      ArtifactRef b = seed(repo, "2.0", content("two"));
      ArtifactRef other = seed(repository("other"), "1.0", content("elsewhere"));
      List<ArtifactRef> listed = store().list(repo);
      assertThat(listed).contains(a, b).doesNotContain(other);
    }

    @Test
    @DisplayName("an unknown repository lists nothing")
    void unknownRepository() {
      assertThat(store().list(repository("empty"))).isEmpty();
    }
  }

  @Nested
  @KitGroup("pinning")
  class Pinning {
    @Test
    @DisplayName("pin and unpin are idempotent per reason and keep the artifact reachable")
    void idempotent() {
      ArtifactRef ref = seed(repository("app"), "1.0", content("keep me"));
      store().pin(ref, "rollback-target:checkout");
      store().pin(ref, "rollback-target:checkout");
      store().pin(ref, "audit");
      store().unpin(ref, "rollback-target:checkout");
      store().unpin(ref, "rollback-target:checkout");
      assertThat(store().describe(ref).ref()).isEqualTo(ref);
    }

    @Test
    @DisplayName("unpinning a reason never given is harmless")
    void unpinUnknownReason() {
      ArtifactRef ref = seed(repository("app"), "1.0", content("never pinned"));
      store().unpin(ref, "no-such-reason");
      assertThat(store().verify(ref).ref()).isEqualTo(ref);
    }
  }

  @Nested
  @KitGroup("tamper detection (stores that implement corrupt)")
  class Tampering {
    @Test
    @DisplayName("content that no longer matches its digest is never served")
    void fetchRefuses() {
      ArtifactRef ref = seed(repository("app"), "1.0", content("genuine content"));
      assumeTrue(corrupt(store(), ref), "the store under test cannot be corrupted");
      assertThatThrownBy(() -> fetchAll(ref)).isInstanceOf(DigestMismatchException.class);
    }

    @Test
    @DisplayName("verify reports the mismatch, naming the expected digest")
    void verifyRefuses() {
      ArtifactRef ref = seed(repository("app"), "1.0", content("genuine content"));
      assumeTrue(corrupt(store(), ref), "the store under test cannot be corrupted");
      assertThatThrownBy(() -> store().verify(ref))
          .isInstanceOfSatisfying(
              DigestMismatchException.class, e -> assertThat(e.expected()).isEqualTo(ref.digest()));
    }

    @Test
    @DisplayName("other artifacts stay intact")
    void othersIntact() {
      ArtifactRef good = seed(repository("app"), "good", content("good content"));
      ArtifactRef bad = seed(repository("app"), "bad", content("bad content"));
      assumeTrue(corrupt(store(), bad), "the store under test cannot be corrupted");
      assertThat(good.digest().matches(fetchAll(good))).isTrue();
    }
  }

  @Nested
  @KitGroup("concurrency")
  class Concurrency {
    @Test
    @DisplayName("8 threads resolving and fetching at once all get the same, intact content")
    void concurrentReads() throws Exception {
      String repo = repository("app");
      ArtifactRef ref = seed(repo, "1.0", content("shared ".repeat(500)));
      List<Boolean> ok =
          KitSupport.concurrently(
              8,
              t -> {
                for (int i = 0; i < 20; i++) {
                  ArtifactRef resolved = store().resolve(new TagRef(repo, "1.0"));
                  if (!resolved.equals(ref) || !ref.digest().matches(fetchAll(resolved))) {
                    return false;
                  }
                }
                return true;
              });
      assertThat(ok).containsOnly(true);
    }
  }
}
