// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.router;

import io.cutover.api.InvalidSpecException;
import io.cutover.provider.kubernetes.KubernetesClients;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import io.cutover.spi.Router;
import io.cutover.spi.RouterProvider;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/**
 * Creates an {@link IstioRouter} ({@code istio}) from configuration: the connection keys of {@link
 * KubernetesClients}; {@code hosts} (extra VirtualService hosts, e.g. public names), {@code
 * gateways} (Istio Gateways to bind to, {@code [namespace/]name}; empty: the mesh only), {@code
 * port} (default 80) and {@code targetPort} (the pods' port number or name, default {@code http}).
 * Unknown keys are refused, naming the key.
 */
public final class IstioRouterProvider implements RouterProvider {
  /** For {@link java.util.ServiceLoader}. */
  public IstioRouterProvider() {}

  @Override
  public String name() {
    return IstioRouter.PROVIDER;
  }

  @Override
  public Router create(ProviderConfig config, ProviderContext context) {
    config.requireOnly(RouterConfigs.keys("hosts", "gateways", "port", "targetPort"));
    List<String> hosts = config.getStringList("hosts");
    for (int i = 0; i < hosts.size(); i++) {
      if (!hosts
          .get(i)
          .matches("(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")) {
        throw new InvalidSpecException(
            config.pathOf("hosts") + "[" + i + "]",
            "'" + hosts.get(i) + "' is not a host name",
            "use a lowercase DNS name such as shop.example.com");
      }
    }
    List<String> gateways = config.getStringList("gateways");
    for (int i = 0; i < gateways.size(); i++) {
      if (!gateways
          .get(i)
          .matches("([a-z0-9]([-a-z0-9]*[a-z0-9])?/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
        throw new InvalidSpecException(
            config.pathOf("gateways") + "[" + i + "]",
            "'" + gateways.get(i) + "' is not [namespace/]name of a Gateway",
            "use e.g. istio-system/public-gateway, or 'mesh'");
      }
    }
    int port = RouterConfigs.port(config, "port", 80);
    String targetPort = RouterConfigs.targetPort(config, "targetPort", "http");
    KubernetesClient client = KubernetesClients.client(config, context);
    return new IstioRouter(
        client,
        KubernetesClients.namespace(config, client),
        KubernetesClients.fieldManager(config),
        hosts,
        gateways,
        port,
        targetPort);
  }
}
