// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.router;

import io.cutover.provider.kubernetes.KubernetesClients;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import io.cutover.spi.Router;
import io.cutover.spi.RouterProvider;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Creates a {@link ServiceRouter} ({@code kubernetes-service}) from configuration: the connection
 * keys of {@link KubernetesClients} ({@code inCluster}, {@code kubeconfig}, {@code context}, {@code
 * namespace}, {@code fieldManager}), {@code port} (the Service port, default 80) and {@code
 * targetPort} (the pods' port number or name, default {@code http}, the name the fleet gives its
 * container port). Unknown keys are refused, naming the key.
 */
public final class ServiceRouterProvider implements RouterProvider {
  /** For {@link java.util.ServiceLoader}. */
  public ServiceRouterProvider() {}

  @Override
  public String name() {
    return ServiceRouter.PROVIDER;
  }

  @Override
  public Router create(ProviderConfig config, ProviderContext context) {
    config.requireOnly(RouterConfigs.keys("port", "targetPort"));
    int port = RouterConfigs.port(config, "port", 80);
    String targetPort = RouterConfigs.targetPort(config, "targetPort", "http");
    KubernetesClient client = KubernetesClients.client(config, context);
    return new ServiceRouter(
        client,
        KubernetesClients.namespace(config, client),
        KubernetesClients.fieldManager(config),
        port,
        targetPort);
  }
}
