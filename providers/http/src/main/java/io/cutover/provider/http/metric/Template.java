// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.http.metric;

import io.cutover.api.InvalidSpecException;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills {@code {{name}}} placeholders in one pass, escaping each value for where it lands (a URL
 * component, a JSON string), so a label can never add a query parameter or a JSON field. A
 * placeholder without a value is refused rather than sent as literal braces, which the endpoint
 * would answer with a confusing 404 or an empty result.
 */
final class Template {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");

  private Template() {}

  /** Whether {@code text} holds any placeholder. */
  static boolean hasPlaceholder(String text) {
    return PLACEHOLDER.matcher(text).find();
  }

  /**
   * {@code template} with every placeholder replaced by {@code escape} of its value.
   *
   * @param path the configuration path to name when a placeholder has no value
   */
  static String render(
      String template, Map<String, String> values, UnaryOperator<String> escape, String path) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder(template.length() + 32);
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new InvalidSpecException(
            path,
            "uses the placeholder {{" + m.group(1) + "}}, which this query does not fill",
            "use one of " + new TreeSet<>(values.keySet()) + ", or remove it");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(escape.apply(value)));
    }
    m.appendTail(out);
    return out.toString();
  }
}
