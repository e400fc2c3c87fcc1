// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci;

import io.cutover.api.InvalidSpecException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A platform of a multi-arch image index, such as {@code linux/amd64} or {@code linux/arm64/v8}.
 *
 * @param os the operating system, e.g. {@code linux}
 * @param architecture the CPU architecture, e.g. {@code amd64}
 * @param variant the CPU variant, e.g. {@code v8}, or null to accept any variant
 */
public record Platform(String os, String architecture, @Nullable String variant) {
  /** Validates the parts. */
  public Platform {
    if (os == null || os.isBlank() || architecture == null || architecture.isBlank()) {
      throw new InvalidSpecException(
          "platform", "needs an os and an architecture", "write e.g. linux/amd64");
    }
    if (variant != null && variant.isBlank()) {
      variant = null;
    }
  }

  /**
   * Parses {@code os/architecture[/variant]}.
   *
   * @throws InvalidSpecException if the text has fewer than two or more than three parts
   */
  public static Platform parse(String text) {
    String[] parts =
        text == null ? new String[0] : text.trim().toLowerCase(Locale.ROOT).split("/", -1);
    if (parts.length < 2 || parts.length > 3) {
      throw new InvalidSpecException(
          "platform",
          "'" + text + "' is not os/architecture[/variant]",
          "write e.g. linux/amd64 or linux/arm64/v8");
    }
    return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : null);
  }

  /**
   * Whether an index entry with these values runs on this platform (a null variant accepts any).
   */
  public boolean matches(
      @Nullable String os, @Nullable String architecture, @Nullable String variant) {
    return this.os.equals(os)
        && this.architecture.equals(architecture)
        && (this.variant == null || this.variant.equals(variant));
  }

  /** {@code os/architecture[/variant]}. */
  @Override
  public String toString() {
    return os + "/" + architecture + (variant == null ? "" : "/" + variant);
  }
}
