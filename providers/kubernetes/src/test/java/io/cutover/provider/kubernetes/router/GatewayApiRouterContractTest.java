// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cutover.provider.kubernetes.testing.TestCluster;
import io.cutover.spi.Router;
import io.cutover.testkit.contract.RouterContract;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * {@link RouterContract} for the {@code gateway-api} router. No Kubernetes API server can run on
 * the build machines, so fabric8's mock server in CRUD mode stands in for it ({@link TestCluster}),
 * with the Gateway API v1.6.1 {@code HTTPRoute} CRD loaded: every route the router writes is
 * validated against the CRD's schema, unknown fields included, so a misspelled field fails here. No
 * gateway runs either: the kit checks what the route says, not the traffic a gateway would send.
 */
class GatewayApiRouterContractTest extends RouterContract {
  @Override
  protected Router createRouter() {
    return new GatewayApiRouter(
        TestCluster.get().client(),
        "shop",
        "cutover",
        List.of(new GatewayApiRouter.Parent("infra", "public", null)),
        List.of("shop.example.com"),
        80,
        "http");
  }

  @Override
  protected boolean arrangeNextApplyFailure(Router router) {
    TestCluster.get().failNextWrite();
    return true;
  }

  @Override
  protected boolean supportsMatchRules() {
    return true;
  }

  @Override
  protected boolean supportsMirror() {
    return true;
  }

  @AfterEach
  void everyWriteMatchedTheCrd() {
    assertThat(TestCluster.get().violations()).as("CRD schema violations").isEmpty();
  }
}
