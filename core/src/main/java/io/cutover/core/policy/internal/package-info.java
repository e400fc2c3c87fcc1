// SPDX-License-Identifier: Apache-2.0
/**
 * Implementation details of verification policies: the cosign signature and DSSE attestation readers,
 * glob matching and the YAML/JSON policy parser. No compatibility promise.
 */
@NullMarked
package io.cutover.core.policy.internal;

import org.jspecify.annotations.NullMarked;
