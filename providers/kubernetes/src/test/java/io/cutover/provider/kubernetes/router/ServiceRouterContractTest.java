// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.kubernetes.router;

import io.cutover.provider.kubernetes.testing.TestCluster;
import io.cutover.spi.Router;
import io.cutover.testkit.contract.RouterContract;

/**
 * {@link RouterContract} for the {@code kubernetes-service} router. No Kubernetes API server can
 * run on the build machines, so fabric8's mock server in CRUD mode stands in for it: it stores the
 * Services and answers reads, which is all this router relies on (no controller runs). The router
 * supports only 0 % / 100 % splits, and match rules through the preview Service.
 */
class ServiceRouterContractTest extends RouterContract {
  @Override
  protected Router createRouter() {
    return new ServiceRouter(TestCluster.get().client(), "shop", "cutover", 80, "http");
  }

  @Override
  protected boolean arrangeNextApplyFailure(Router router) {
    TestCluster.get().failNextWrite();
    return true;
  }

  @Override
  protected boolean supportsFractionalWeights() {
    return false;
  }

  @Override
  protected boolean supportsMatchRules() {
    return true;
  }
}
