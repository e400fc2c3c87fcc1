// SPDX-License-Identifier: Apache-2.0
/**
 * The implementations behind the provider SPI's interfaces: {@link io.cutover.core.internal.provider.MapProviderConfig}
 * (a {@link io.cutover.spi.ProviderConfig} over a map) and the {@link io.cutover.spi.ProviderContext} that
 * {@link io.cutover.core.ProviderRegistry} hands to factories. No compatibility promise: use
 * {@link io.cutover.core.ProviderConfigs} and {@link io.cutover.core.ProviderRegistry}.
 */
@NullMarked
package io.cutover.core.internal.provider;

import org.jspecify.annotations.NullMarked;
