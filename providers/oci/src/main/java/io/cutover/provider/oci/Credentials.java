// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci;

import io.cutover.api.InvalidSpecException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A user name and password (or access token used as a password) for one registry. Used for basic
 * authentication and to obtain bearer tokens. {@link #toString()} never shows the password, and no
 * error message or log line of this module contains it. Immutable and thread-safe.
 */
public final class Credentials {
  private final String username;
  private final String password;

  private Credentials(String username, String password) {
    this.username = username;
    this.password = password;
  }

  /**
   * Credentials from a user name and a password or token.
   *
   * @throws InvalidSpecException if either is blank
   */
  public static Credentials of(String username, String password) {
    if (username == null || username.isBlank()) {
      throw new InvalidSpecException(
          "credentials.username", "is blank", "give the registry user name");
    }
    if (password == null || password.isEmpty()) {
      throw new InvalidSpecException(
          "credentials.password", "is empty", "give the password or access token");
    }
    return new Credentials(username, password);
  }

  /** The user name. */
  public String username() {
    return username;
  }

  /** The password or token; handle with care, never log it. */
  public String password() {
    return password;
  }

  /** The value of an HTTP basic {@code Authorization} header. */
  public String basicHeader() {
    return okhttp3.Credentials.basic(username, password, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Credentials c && username.equals(c.username) && password.equals(c.password);
  }

  @Override
  public int hashCode() {
    return Objects.hash(username, password);
  }

  /** The user name and a redacted password. */
  @Override
  public String toString() {
    return "Credentials{" + username + ", password=<redacted>}";
  }
}
