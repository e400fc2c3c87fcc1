// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci.internal;

import java.io.IOException;

/**
 * A registry or its token service refused the credentials; retrying cannot help. Never carries a
 * secret.
 */
public final class AuthenticationFailedException extends IOException {
  private static final long serialVersionUID = 1L;

  public AuthenticationFailedException(String message) {
    super(message);
  }
}
