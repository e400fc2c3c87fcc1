// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.store;

import io.cutover.spi.ArtifactStore;
import io.cutover.spi.ArtifactStoreProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import java.nio.file.Path;
import java.util.Set;

/**
 * Creates a {@link FilesystemArtifactStore} from configuration; registered with {@link
 * java.util.ServiceLoader} under the name {@value FilesystemArtifactStore#PROVIDER}.
 *
 * <p>Keys: {@code root} (required): the store's directory, created if absent. Any other key is
 * refused. Stateless and thread-safe; {@link #create} creates the directory and nothing else.
 */
public final class FilesystemArtifactStoreProvider implements ArtifactStoreProvider {
  private static final Set<String> KEYS = Set.of("root");

  /** For {@link java.util.ServiceLoader}. */
  public FilesystemArtifactStoreProvider() {}

  @Override
  public String name() {
    return FilesystemArtifactStore.PROVIDER;
  }

  @Override
  public ArtifactStore create(ProviderConfig config, ProviderContext context) {
    config.requireOnly(KEYS);
    return FilesystemArtifactStore.open(Path.of(config.requireString("root")));
  }
}
