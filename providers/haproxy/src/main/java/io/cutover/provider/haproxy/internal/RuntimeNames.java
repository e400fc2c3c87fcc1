// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.haproxy.internal;

import io.cutover.api.InvalidSpecException;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What may go into a runtime-API command line. The runtime API splits a line at {@code ;} and
 * newlines and a command at spaces, so a name holding one of them would run a command of its own
 * (e.g. a release id {@code "x;shutdown frontend fe"}). The router checks every name it puts into a
 * command against these forms before it sends anything: defense in depth, whatever the engine
 * checked before. Stateless.
 */
public final class RuntimeNames {
  /** HAProxy's own alphabet for proxy and server names. */
  public static final String BACKEND = "[A-Za-z0-9_.:-]{1,200}";

  /** Release ids: HAProxy's alphabet without {@code :}, which separates release and server. */
  public static final String RELEASE = "[A-Za-z0-9_.-]{1,200}";

  private static final Pattern BACKEND_PATTERN = Pattern.compile(BACKEND);
  private static final Pattern RELEASE_PATTERN = Pattern.compile(RELEASE);
  // A DNS name or an IPv4 address, or a bracketed IPv6 address as java.net.URI reports it.
  private static final Pattern HOST_PATTERN =
      Pattern.compile("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}]");

  private RuntimeNames() {}

  /**
   * The backend name of {@code service}, checked.
   *
   * @throws InvalidSpecException if it is not of the form {@value #BACKEND}
   */
  public static String backend(String service, @Nullable String backend) {
    if (backend == null || !BACKEND_PATTERN.matcher(backend).matches()) {
      throw new InvalidSpecException(
          "service",
          "'"
              + printable(service)
              + "' maps to the HAProxy backend name '"
              + printable(backend)
              + "', which cannot be sent to the runtime API (';', spaces and newlines would split"
              + " the command)",
          "use service names (and a backendName function) giving names matching " + BACKEND);
    }
    return backend;
  }

  /**
   * Checks a release id.
   *
   * @throws InvalidSpecException if it is not of the form {@value #RELEASE}
   */
  public static String release(String releaseId) {
    if (!RELEASE_PATTERN.matcher(releaseId).matches()) {
      throw new InvalidSpecException(
          "split.weights." + printable(releaseId),
          "cannot name an HAProxy server (';', spaces, ':' and newlines are refused)",
          "use release ids matching " + RELEASE + " (Release.id() always does)");
    }
    return releaseId;
  }

  /**
   * Checks an endpoint host.
   *
   * @throws InvalidSpecException naming {@code path} if it is not a plain host name or address
   */
  public static String host(@Nullable String host, String path, String what) {
    if (host == null || !HOST_PATTERN.matcher(host).matches()) {
      throw new InvalidSpecException(
          path,
          what + " has no plain host name or address to send to HAProxy",
          "give instances endpoints such as http://127.0.0.1:8080");
    }
    return host;
  }

  /**
   * Checks one command line: no newline, carriage return or NUL.
   *
   * @param batch whether {@code ;} separates commands in it (else it is refused too)
   * @throws InvalidSpecException if the line holds a separator it must not
   */
  public static String commandLine(String line, boolean batch) {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\n' || c == '\r' || c == 0 || (!batch && c == ';')) {
        throw new InvalidSpecException(
            "haproxy.command",
            "'" + printable(line) + "' holds a command separator at index " + i,
            "send one command per list element, without ';' or line breaks");
      }
    }
    return line;
  }

  /** A value for a message: control characters escaped, long values cut. */
  public static String printable(@Nullable String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && i < 120; i++) {
      char c = s.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return s.length() > 120 ? sb + "..." : sb.toString();
  }
}
