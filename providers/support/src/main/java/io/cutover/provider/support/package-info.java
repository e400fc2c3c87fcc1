// SPDX-License-Identifier: Apache-2.0
/**
 * Helpers for provider implementers that are not part of any SPI contract, so they can change without an
 * SPI change: {@link io.cutover.provider.support.AppliedOperations} (which operation ids a provider has
 * applied, to keep a stale repeat from undoing a later operation), {@link io.cutover.provider.support.SecretSource}
 * (credentials from an environment variable or a file, never a configuration literal) and
 * {@link io.cutover.provider.support.Redaction} (URL credentials out of error text). Depends on {@code cutover-api} only, so a
 * provider that uses it still pulls in nothing third-party.
 */
@NullMarked
package io.cutover.provider.support;

import org.jspecify.annotations.NullMarked;
