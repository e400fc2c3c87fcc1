// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci;

import io.cutover.api.ArtifactRef;
import io.cutover.spi.ArtifactStore;
import io.cutover.testfixtures.CosignFixtures;
import io.cutover.testfixtures.RegistryServer;
import io.cutover.testkit.contract.ArtifactStoreContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI store passes the testkit's ArtifactStore contract against a real docker-registry: seeding
 * pushes a one-layer image whose layer is the content; corrupting rewrites the manifest in the
 * registry's storage.
 */
class OciArtifactStoreContractTest extends ArtifactStoreContract {
  @TempDir static Path dir;
  static RegistryServer registry;
  private OciArtifactStore store;

  @BeforeAll
  static void startRegistry() throws Exception {
    registry = RegistryServer.start(dir.resolve("registry"));
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  @Override
  protected String repositoryPrefix() {
    return registry.host() + "/";
  }

  @Override
  protected ArtifactStore createStore() {
    store =
        OciArtifactStore.builder()
            .insecure(registry.host())
            .retry(2, Duration.ofMillis(10))
            .build();
    return store;
  }

  @Override
  protected ArtifactRef seed(String repository, String tag, byte[] content) {
    CosignFixtures.Attachment image =
        CosignFixtures.image(content, "2026-01-01T00:00:00Z", Map.of());
    try {
      registry.push(repository.substring(repositoryPrefix().length()), tag, image);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ArtifactRef(repository, image.digest());
  }

  @Override
  protected boolean corrupt(ArtifactStore s, ArtifactRef ref) {
    Path file = registry.blobFile(ref.digest());
    try {
      Files.writeString(file, Files.readString(file) + " ");
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
