// SPDX-License-Identifier: Apache-2.0
/**
 * The local-process {@link io.cutover.spi.Fleet}: instances of a release run as operating-system
 * processes on this machine, started from read-only, digest-checked copies of their artifacts, with
 * externalized configuration and launch-time secrets in their environment, HTTP readiness, graceful
 * stop, per-instance logs, adoption after an engine restart, and a crash policy. Also the
 * {@link io.cutover.provider.local.fleet.FleetHealthGate} that turns crashes and drift into a failing verdict.
 */
@NullMarked
package io.cutover.provider.local.fleet;

import org.jspecify.annotations.NullMarked;
