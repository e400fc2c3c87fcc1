// SPDX-License-Identifier: Apache-2.0
/**
 * The Cutover testkit: the JUnit 5 extension ({@link io.cutover.testkit.CutoverExtension}), AssertJ
 * assertions on finished rollouts ({@link io.cutover.testkit.CutoverAssertions}) and a scripted gate
 * ({@link io.cutover.testkit.FakeHealthGate}), on top of {@code cutover-simulator} (a dependency of this
 * module), which holds virtual time, the fakes and {@code RolloutHarness} in {@code io.cutover.simulator}.
 */
@NullMarked
package io.cutover.testkit;

import org.jspecify.annotations.NullMarked;
