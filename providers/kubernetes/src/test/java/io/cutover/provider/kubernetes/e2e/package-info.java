// SPDX-License-Identifier: Apache-2.0
/**
 * TEST CODE: rollouts driven end to end through the engine (under virtual time, on the testkit's
 * harness) on the Kubernetes fleet and routers, against fabric8's mock API server with the
 * simulated kubelet.
 */
@NullMarked
package io.cutover.provider.kubernetes.e2e;

import org.jspecify.annotations.NullMarked;
