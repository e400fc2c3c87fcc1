// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

/**
 * Factory of {@link HealthGate} implementations, discovered with {@link java.util.ServiceLoader}
 * (register the implementation in {@code META-INF/services/io.cutover.spi.HealthGateProvider}) or
 * registered explicitly. See {@link ProviderFactory} for the contract.
 */
public interface HealthGateProvider extends ProviderFactory<HealthGate> {}
