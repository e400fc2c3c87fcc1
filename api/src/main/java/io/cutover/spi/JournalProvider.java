// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

/**
 * Factory of {@link Journal} implementations, discovered with {@link java.util.ServiceLoader}
 * (register the implementation in {@code META-INF/services/io.cutover.spi.JournalProvider}) or
 * registered explicitly. See {@link ProviderFactory} for the contract.
 */
public interface JournalProvider extends ProviderFactory<Journal> {}
