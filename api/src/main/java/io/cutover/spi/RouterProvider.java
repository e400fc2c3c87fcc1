// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

/**
 * Factory of {@link Router} implementations, discovered with {@link java.util.ServiceLoader}
 * (register the implementation in {@code META-INF/services/io.cutover.spi.RouterProvider}) or
 * registered explicitly. See {@link ProviderFactory} for the contract.
 */
public interface RouterProvider extends ProviderFactory<Router> {}
