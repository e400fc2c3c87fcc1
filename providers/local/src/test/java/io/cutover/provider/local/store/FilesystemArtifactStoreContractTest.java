// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.store;

import io.cutover.api.ArtifactRef;
import io.cutover.api.TagRef;
import io.cutover.spi.ArtifactStore;
import io.cutover.testkit.contract.ArtifactStoreContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.io.TempDir;

/** The filesystem store passes the testkit's ArtifactStore contract, tamper tests included. */
class FilesystemArtifactStoreContractTest extends ArtifactStoreContract {
  @TempDir Path dir;
  private FilesystemArtifactStore store;

  @Override
  protected ArtifactStore createStore() {
    store = FilesystemArtifactStore.open(dir.resolve("store"));
    return store;
  }

  @Override
  protected ArtifactRef seed(String repository, String tag, byte[] content) {
    ArtifactRef ref =
        store.put(repository, content, ArtifactMetadata.of("application/octet-stream"));
    store.tag(new TagRef(repository, tag), ref);
    return ref;
  }

  @Override
  protected boolean corrupt(ArtifactStore s, ArtifactRef ref) {
    Path blob = store.root().resolve("sha256").resolve(ref.digest().hex());
    try {
      Files.setPosixFilePermissions(blob, PosixFilePermissions.fromString("rw-r--r--"));
      Files.writeString(blob, "corrupted on disk");
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
