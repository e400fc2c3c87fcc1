// SPDX-License-Identifier: Apache-2.0
/**
 * TEST CODE shared by the Kubernetes provider's tests: no Kubernetes API server can run on the build
 * machines, so fabric8's mock API server in CRUD mode stands in for one ({@link
 * io.cutover.provider.kubernetes.testing.TestCluster}), with the CRD schemas every custom resource
 * is validated against ({@link io.cutover.provider.kubernetes.testing.CrdSchemas}) and a kubelet and
 * ReplicaSet-controller simulator ({@link io.cutover.provider.kubernetes.testing.SimulatedKubelet})
 * that makes pods for the workloads the fleet writes. None of it is shipped.
 */
@NullMarked
package io.cutover.provider.kubernetes.testing;

import org.jspecify.annotations.NullMarked;
