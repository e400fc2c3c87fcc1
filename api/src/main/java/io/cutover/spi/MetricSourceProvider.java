// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

/**
 * Factory of {@link MetricSource} implementations, discovered with {@link java.util.ServiceLoader}
 * (register the implementation in {@code META-INF/services/io.cutover.spi.MetricSourceProvider}) or
 * registered explicitly. See {@link ProviderFactory} for the contract.
 */
public interface MetricSourceProvider extends ProviderFactory<MetricSource> {}
