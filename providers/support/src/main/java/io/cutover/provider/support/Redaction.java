// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.support;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Removes credentials from text that goes into exception messages, which the engine copies into
 * journal records, span status and reports: the {@code user:password@} part of every URL in it.
 * Providers that hold an OkHttp {@code HttpUrl} use its {@code redact()} for the URL itself; this
 * is for free text such as a library's exception message, which may quote a URL.
 *
 * <p>A helper, not a contract. Stateless and thread-safe.
 */
public final class Redaction {
  // scheme://userinfo@ — userinfo stops at the first '/', '?', '#', whitespace or quote, so the
  // '@' of a later path or query is not taken for it.
  private static final Pattern USERINFO =
      Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/?#@\\s'\"<>]*@");

  private Redaction() {}

  /**
   * {@code text} with the user-info of every URL replaced by {@code ***}: {@code
   * https://u:p@host/x} becomes {@code https://***@host/x}. Null stays null.
   */
  public static @Nullable String userInfo(@Nullable String text) {
    return text == null ? null : USERINFO.matcher(text).replaceAll("$1***@");
  }
}
