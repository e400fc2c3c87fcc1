// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.router;

import io.cutover.api.InvalidSpecException;
import io.cutover.provider.kubernetes.KubernetesClients;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import io.cutover.spi.Router;
import io.cutover.spi.RouterProvider;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates a {@link GatewayApiRouter} ({@code gateway-api}) from configuration: the connection keys
 * of {@link KubernetesClients}; {@code parentRefs} (required: the Gateways the routes attach to,
 * each {@code name}, {@code namespace/name} or either with {@code #listener} for a section name);
 * {@code hostnames} (optional list); {@code port} (the release Services' port, default 80) and
 * {@code targetPort} (the pods' port number or name, default {@code http}). Unknown keys are
 * refused, naming the key.
 */
public final class GatewayApiRouterProvider implements RouterProvider {
  private static final String DNS_1123 = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";

  /** For {@link java.util.ServiceLoader}. */
  public GatewayApiRouterProvider() {}

  @Override
  public String name() {
    return GatewayApiRouter.PROVIDER;
  }

  @Override
  public Router create(ProviderConfig config, ProviderContext context) {
    config.requireOnly(RouterConfigs.keys("parentRefs", "hostnames", "port", "targetPort"));
    List<GatewayApiRouter.Parent> parents = parents(config);
    List<String> hostnames = config.getStringList("hostnames");
    for (int i = 0; i < hostnames.size(); i++) {
      String h = hostnames.get(i);
      if (!h.matches("(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")) {
        throw new InvalidSpecException(
            config.pathOf("hostnames") + "[" + i + "]",
            "'" + h + "' is not a hostname",
            "use a lowercase DNS name such as shop.example.com, or *.example.com");
      }
    }
    int port = RouterConfigs.port(config, "port", 80);
    String targetPort = RouterConfigs.targetPort(config, "targetPort", "http");
    KubernetesClient client = KubernetesClients.client(config, context);
    return new GatewayApiRouter(
        client,
        KubernetesClients.namespace(config, client),
        KubernetesClients.fieldManager(config),
        parents,
        hostnames,
        port,
        targetPort);
  }

  private static List<GatewayApiRouter.Parent> parents(ProviderConfig config) {
    List<String> refs = config.getStringList("parentRefs");
    if (refs.isEmpty()) {
      throw new InvalidSpecException(
          config.pathOf("parentRefs"),
          "is missing",
          "name the Gateway(s) the routes attach to, e.g. parentRefs: [infra/public-gateway]");
    }
    List<GatewayApiRouter.Parent> out = new ArrayList<>();
    for (int i = 0; i < refs.size(); i++) {
      String ref = refs.get(i);
      String section = null;
      int hash = ref.indexOf('#');
      if (hash >= 0) {
        section = ref.substring(hash + 1);
        ref = ref.substring(0, hash);
      }
      String ns = null;
      int slash = ref.indexOf('/');
      if (slash >= 0) {
        ns = ref.substring(0, slash);
        ref = ref.substring(slash + 1);
      }
      if (!ref.matches(DNS_1123)
          || (ns != null && !ns.matches(DNS_1123))
          || (section != null && !section.matches(DNS_1123))) {
        throw new InvalidSpecException(
            config.pathOf("parentRefs") + "[" + i + "]",
            "'" + refs.get(i) + "' is not [namespace/]name[#listener]",
            "use lowercase Kubernetes names, e.g. infra/public-gateway or public-gateway#https");
      }
      out.add(new GatewayApiRouter.Parent(ns, ref, section));
    }
    return out;
  }
}
