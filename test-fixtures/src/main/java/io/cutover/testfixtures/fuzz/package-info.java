// SPDX-License-Identifier: Apache-2.0
/**
 * The fuzz campaign's shared parts (docs/fuzzing.md): a mutation engine that turns valid inputs into
 * hostile ones ({@link io.cutover.testfixtures.fuzz.Mutator}), the jqwik arbitraries over it ({@link
 * io.cutover.testfixtures.fuzz.Mutations}) and the oracle every property calls ({@link
 * io.cutover.testfixtures.fuzz.Fuzz}), which tells documented refusals from bugs and counts inputs
 * per parser for {@code ./benchmarks/run fuzz}. The properties themselves live in the test tree of
 * the module that owns each parser, since only that module may reach its internal packages.
 */
@NullMarked
package io.cutover.testfixtures.fuzz;

import org.jspecify.annotations.NullMarked;
