// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.router;

import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.Release;
import io.cutover.spi.Router;
import io.cutover.testkit.contract.EchoBackends;
import io.cutover.testkit.contract.RouterContract;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;

/**
 * The in-process router passes the testkit's router contract, with real backends and traffic sent
 * through its OkHttp interceptor. Its one way to fail an apply is the one it has in production: the
 * instances it is given are not READY (they crashed between the fleet's listing and the route), so
 * a release with weight has nowhere to go.
 */
class InProcessRouterContractTest extends RouterContract {
  private final EchoBackends echo = EchoBackends.create();
  private final OkHttpClient base = new OkHttpClient();
  private final Set<String> crashedOnce = new HashSet<>();
  private boolean crashNextListing;

  @AfterEach
  void stopBackends() {
    echo.close();
    base.dispatcher().executorService().shutdown();
    base.connectionPool().evictAll();
  }

  @Override
  protected Router createRouter() {
    return InProcessRouter.create();
  }

  @Override
  protected boolean supportsMatchRules() {
    return true;
  }

  @Override
  protected boolean supportsMirror() {
    return true;
  }

  /**
   * Every instance crashes once: the next apply is given each backend in state FAILED, and the
   * listing after that has it back READY (the fleet replaced it).
   */
  @Override
  protected boolean arrangeNextApplyFailure(Router router) {
    crashNextListing = true;
    crashedOnce.clear();
    return true;
  }

  @Override
  protected synchronized Instance backend(Release release, int index) {
    Instance live = echo.backend(release, index);
    if (crashNextListing && !crashedOnce.add(live.id())) {
      crashNextListing = false;
    }
    return crashNextListing
        ? new Instance(
            live.id(),
            live.releaseId(),
            live.endpoint(),
            InstanceState.FAILED,
            live.runningDigest())
        : live;
  }

  @Override
  protected Optional<Map<String, Integer>> sendRequests(String service, int requests)
      throws Exception {
    OkHttpClient client = ((InProcessRouter) router()).client(base);
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < requests; i++) {
      try (Response r =
          client.newCall(new Request.Builder().url("http://" + service + "/").build()).execute()) {
        counts.merge(r.body().string(), 1, Integer::sum);
      }
    }
    return Optional.of(counts);
  }
}
