// SPDX-License-Identifier: Apache-2.0
/**
 * Implementation details of the local-process fleet: the read-only artifact cache with its on-disk
 * digest checks, and the pid-file records that let a restarted engine adopt running instances. No
 * compatibility promise.
 */
@NullMarked
package io.cutover.provider.local.fleet.internal;

import org.jspecify.annotations.NullMarked;
