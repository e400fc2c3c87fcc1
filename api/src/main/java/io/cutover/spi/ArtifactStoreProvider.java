// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

/**
 * Factory of {@link ArtifactStore} implementations, discovered with {@link java.util.ServiceLoader}
 * (register the implementation in {@code META-INF/services/io.cutover.spi.ArtifactStoreProvider})
 * or registered explicitly. See {@link ProviderFactory} for the contract.
 */
public interface ArtifactStoreProvider extends ProviderFactory<ArtifactStore> {}
