/**
 * A tiny JDK-only HTTP service and the code that packages it as immutable, executable-jar artifacts:
 * what {@code cutover demo} and the integration tests deploy as real processes. Version 3 of the demo
 * is built with {@code errorEvery = 20} so that it answers exactly 5 % errors.
 */
@NullMarked
package io.cutover.provider.local.sample;

import org.jspecify.annotations.NullMarked;
