// SPDX-License-Identifier: Apache-2.0
/**
 * Contract kits: public abstract JUnit 5 classes that prove an implementation of a Cutover SPI keeps its
 * contract. A provider's test extends the kit for its SPI and implements one or two factory methods;
 * the kit contributes {@code @Nested} groups of tests per capability, each named by a sentence. Optional
 * capabilities (failure injection, durability across reopen) are protected hooks whose default skips
 * the tests that need them. By convention the subclass is named {@code <Implementation>ContractTest}
 * (e.g. {@code HaproxyRouterContractTest}), so kit runs are told apart from an implementation's own tests.
 */
@NullMarked
package io.cutover.testkit.contract;

import org.jspecify.annotations.NullMarked;
