/**
 * What {@code cutover demo} deploys and drives, published separately so that no provider jar carries
 * demo code: a tiny JDK-only HTTP service, the code that packages it as immutable executable-jar
 * artifacts, and an open-loop HTTP traffic generator. Version 3 of the demo is built with
 * {@code errorEvery = 20} so that it answers exactly 5 % errors.
 */
@NullMarked
package io.cutover.samples;

import org.jspecify.annotations.NullMarked;
