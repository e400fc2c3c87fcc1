package io.cutover.provider.local.router;

import io.cutover.spi.Router;
import io.cutover.testkit.contract.RouterContract;

/** The in-process router passes the testkit's router contract. */
class InProcessRouterContractTest extends RouterContract {
  @Override
  protected Router createRouter() {
    return InProcessRouter.create();
  }
}
