// SPDX-License-Identifier: Apache-2.0
package io.cutover.api;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Validation helpers shared by the value types; package-private so the API surface stays small. */
final class Check {
  // Distribution spec: path components of lowercase alphanumerics joined by '.', '_', '__' or '-',
  // optionally preceded by a registry host with a port.
  static final Pattern REPOSITORY =
      Pattern.compile(
          "^(?:[a-zA-Z0-9][a-zA-Z0-9.-]*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*"
              + "(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*$");
  static final Pattern TAG = Pattern.compile("^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$");
  static final Pattern SERVICE = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");

  private Check() {}

  static <T> T notNull(@Nullable T value, String field) {
    if (value == null) {
      throw new InvalidSpecException(field, "is missing", "provide a value for '" + field + "'");
    }
    return value;
  }

  static String repository(@Nullable String repository, String field) {
    repository = notNull(repository, field);
    if (repository.length() > 255 || !REPOSITORY.matcher(repository).matches()) {
      throw new InvalidSpecException(
          field,
          "'" + repository + "' is not a valid repository name",
          "use lowercase path components such as 'registry.example.com:5000/team/app'");
    }
    return repository;
  }

  static String service(@Nullable String service, String field) {
    service = notNull(service, field);
    if (!SERVICE.matcher(service).matches()) {
      throw new InvalidSpecException(
          field,
          "'" + service + "' is not a valid service name",
          "use 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit");
    }
    return service;
  }

  static String notBlank(@Nullable String value, String field) {
    value = notNull(value, field);
    if (value.isBlank()) {
      throw new InvalidSpecException(
          field, "is blank", "provide a non-blank value for '" + field + "'");
    }
    return value;
  }
}
