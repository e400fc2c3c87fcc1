// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import io.cutover.api.InvalidSpecException;

/**
 * Creates one kind of provider from configuration. Implementations are found with {@link
 * java.util.ServiceLoader} through one of the typed sub-interfaces ({@link RouterProvider}, {@link
 * FleetProvider}, ...) and can also be registered explicitly in code.
 *
 * <p>A factory must have a public no-argument constructor, be cheap to instantiate, and do no I/O
 * until {@link #create} is called: discovery instantiates every factory on the class path, but only
 * the selected ones create anything.
 *
 * <p><b>Threading.</b> {@link #create} may be called from any thread, more than once, for different
 * configurations; a factory keeps no state between calls.
 *
 * @param <T> the SPI the factory produces
 */
public interface ProviderFactory<T> {

  /**
   * The provider's name as written in configuration, e.g. {@code haproxy}; lowercase, unique per
   * SPI.
   */
  String name();

  /**
   * Creates a provider instance.
   *
   * @param config the provider's settings; read them through its typed getters, and call {@link
   *     ProviderConfig#requireOnly} with the keys you know so a typo is reported
   * @param context the host's clock, scheduler, registry (for providers this one composes) and
   *     components such as OpenTelemetry; ignore what you do not need
   * @throws InvalidSpecException if the configuration is missing keys or has wrong values, naming
   *     them
   */
  T create(ProviderConfig config, ProviderContext context);
}
