// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.Artifact;
import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Provenance;
import io.cutover.api.TagRef;
import io.cutover.simulator.InMemoryArtifactStore;
import io.cutover.spi.ArtifactStore;
import io.cutover.testkit.contract.ArtifactStoreContract;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("InMemoryArtifactStore")
class InMemoryArtifactStoreContractTest extends ArtifactStoreContract {

  @Override
  protected ArtifactStore createStore() {
    return InMemoryArtifactStore.create();
  }

  @Override
  protected ArtifactRef seed(String repository, String tag, byte[] content) {
    return ((InMemoryArtifactStore) store()).push(repository, tag, content);
  }

  @Override
  protected boolean corrupt(ArtifactStore store, ArtifactRef ref) {
    ((InMemoryArtifactStore) store).corrupt(ref);
    return true;
  }

  @Nested
  @DisplayName("pushing, pins and garbage collection")
  class Specifics {
    private final InMemoryArtifactStore store = InMemoryArtifactStore.create();
    private final byte[] content = "hello".getBytes(StandardCharsets.UTF_8);

    @Test
    @DisplayName("push addresses content by its sha256 and records the metadata given")
    void pushWithMetadata() {
      Instant built = Instant.parse("2026-02-01T10:00:00Z");
      ArtifactRef ref =
          store.push(
              "team/app",
              "1.0",
              content,
              b ->
                  b.mediaType("application/vnd.test")
                      .created(built)
                      .label("team", "payments")
                      .provenance(
                          new Provenance(
                              "git+https://git.example/app",
                              "refs/heads/main",
                              "abc123",
                              "ci",
                              null,
                              "42")));
      assertThat(ref).isEqualTo(new ArtifactRef("team/app", Digest.sha256(content)));
      Artifact a = store.describe(ref);
      assertThat(a.size()).isEqualTo(5);
      assertThat(a.mediaType()).isEqualTo("application/vnd.test");
      assertThat(a.created()).isEqualTo(built);
      assertThat(a.labels()).containsEntry("team", "payments");
      assertThat(a.provenance().sourceCommit()).isEqualTo("abc123");
    }

    @Test
    @DisplayName("lists newest push first")
    void listOrder() {
      ArtifactRef a = store.push("team/app", "1", "a".getBytes(StandardCharsets.UTF_8));
      ArtifactRef b = store.push("team/app", "2", "b".getBytes(StandardCharsets.UTF_8));
      ArtifactRef c = store.push("team/app", "3", "c".getBytes(StandardCharsets.UTF_8));
      assertThat(store.list("team/app")).containsExactly(c, b, a);
    }

    @Test
    @DisplayName("garbage collection keeps tagged and pinned artifacts and deletes the rest")
    void garbageCollection() {
      ArtifactRef old = store.push("team/app", "latest", "v1".getBytes(StandardCharsets.UTF_8));
      ArtifactRef pinned = store.push("team/app", "latest", "v2".getBytes(StandardCharsets.UTF_8));
      ArtifactRef current = store.push("team/app", "latest", "v3".getBytes(StandardCharsets.UTF_8));
      store.pin(pinned, "rollback-target:app");
      store.pin(pinned, "rollback-target:app");

      assertThat(store.collectGarbage()).containsExactly(old);
      assertThat(store.contains(old)).isFalse();
      assertThat(store.pins(pinned)).containsExactly("rollback-target:app");

      store.unpin(pinned, "rollback-target:app");
      assertThat(store.collectGarbage()).containsExactly(pinned);
      assertThat(store.list("team/app")).containsExactly(current);
    }

    @Test
    @DisplayName("tag points an existing artifact at another tag")
    void retag() {
      ArtifactRef ref = store.push("team/app", "rc", content);
      store.tag(ref, "stable");
      assertThat(store.resolve(new TagRef("team/app", "stable"))).isEqualTo(ref);
      assertThatThrownBy(() -> store.tag(new ArtifactRef("team/app", Digest.sha256("x")), "y"))
          .isInstanceOf(NoSuchElementException.class);
    }

    @Test
    @DisplayName("errors name what is missing and how to fix it")
    void errors() {
      store.push("team/app", "1.0", content);
      assertThatThrownBy(() -> store.resolve(new TagRef("team/app", "2.0")))
          .isInstanceOf(NoSuchElementException.class)
          .hasMessageContaining("team/app:2.0")
          .hasMessageContaining("[1.0]");
      assertThatThrownBy(() -> store.push("Team/App", "1.0", content))
          .isInstanceOf(InvalidSpecException.class);
      ArtifactRef ref = store.resolve(new TagRef("team/app", "1.0"));
      assertThatThrownBy(() -> store.pin(ref, " "))
          .isInstanceOf(InvalidSpecException.class)
          .hasMessageContaining("reason");
    }

    @Test
    @DisplayName("the caller's array is copied: changing it later changes nothing stored")
    void defensiveCopy() {
      byte[] mine = content.clone();
      ArtifactRef ref = store.push("team/app", "1.0", mine);
      mine[0] = 'X';
      assertThat(store.verify(ref).ref()).isEqualTo(ref);
    }

    @Test
    @DisplayName("corrupting empty content is detected too")
    void corruptEmpty() {
      ArtifactRef ref = store.push("team/app", "empty", new byte[0]);
      store.corrupt(ref);
      assertThatThrownBy(() -> store.verify(ref))
          .isInstanceOf(io.cutover.api.DigestMismatchException.class);
    }
  }
}
