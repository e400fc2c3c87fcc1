// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.metrics.internal;

import io.cutover.api.InvalidSpecException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * A parsed in-process query: {@code fn(args)} over selectors such as {@code
 * http_requests_total{release="app-1",code!~"5.."}[300s]}, or a bare selector, read as {@code
 * samples(selector)}.
 *
 * @param function the function: sum, rate, count, ratio, quantile, samples
 * @param quantile the quantile for {@code quantile}, else NaN
 * @param selectors one selector, or two for {@code ratio}
 */
public record Expression(String function, double quantile, List<Selector> selectors) {
  private static final Pattern CALL =
      Pattern.compile("^\\s*([a-z]+)\\s*\\((.*)\\)\\s*$", Pattern.DOTALL);
  private static final Pattern SELECTOR =
      Pattern.compile(
          "\\s*([a-zA-Z_:][a-zA-Z0-9_:.]*)\\s*(?:\\{([^}]*)\\})?\\s*(?:\\[\\s*([0-9]+(?:ms|s|m|h|d))\\s*\\])?\\s*");
  private static final Pattern MATCHER =
      Pattern.compile(
          "\\s*([a-zA-Z_][a-zA-Z0-9_.]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*");

  /** How a label is matched. */
  public enum Op {
    EQ,
    NE,
    RE,
    NRE
  }

  /**
   * One label condition.
   *
   * @param label the label
   * @param op how it is compared
   * @param value the value or regular expression (fully anchored, as in PromQL)
   * @param pattern the compiled regular expression for RE/NRE
   */
  public record LabelMatcher(String label, Op op, String value, @Nullable Pattern pattern) {
    /** The compiled pattern of a regex operator (the parser sets it for RE and NRE). */
    private Pattern regex() {
      return Objects.requireNonNull(pattern, "a regex matcher without a compiled pattern");
    }

    /**
     * Whether an attribute value (null when absent, matched as the empty string) satisfies the
     * condition.
     */
    public boolean matches(@Nullable String actual) {
      String a = actual == null ? "" : actual;
      return switch (op) {
        case EQ -> a.equals(value);
        case NE -> !a.equals(value);
        case RE -> regex().matcher(a).matches();
        case NRE -> !regex().matcher(a).matches();
      };
    }
  }

  /**
   * An instrument and label conditions, with an optional range.
   *
   * @param metric the instrument name
   * @param matchers label conditions, all of which must hold
   * @param range the look-back range, or null for the query's own window
   */
  public record Selector(String metric, List<LabelMatcher> matchers, @Nullable Duration range) {}

  /**
   * Parses an expression.
   *
   * @throws InvalidSpecException naming the query and what is wrong with it
   */
  public static Expression parse(String query) {
    Matcher call = CALL.matcher(query);
    if (!call.matches()) {
      // A bare selector (what MetricQuery calls "a metric name") reads the raw recordings, like
      // samples().
      if (query.indexOf('(') < 0 && SELECTOR.matcher(query).matches()) {
        return new Expression("samples", Double.NaN, List.of(selector(query, query)));
      }
      throw bad(query, "is neither a selector nor of the form fn(selector)");
    }
    String fn = call.group(1).toLowerCase(Locale.ROOT);
    String args = call.group(2);
    return switch (fn) {
      case "sum", "rate", "count", "samples" ->
          new Expression(fn, Double.NaN, List.of(selector(query, args)));
      case "ratio" -> {
        int slash = topLevelSlash(args);
        if (slash < 0) {
          throw bad(query, "ratio needs two selectors: ratio(a / b)");
        }
        yield new Expression(
            fn,
            Double.NaN,
            List.of(
                selector(query, args.substring(0, slash)),
                selector(query, args.substring(slash + 1))));
      }
      case "quantile" -> {
        int comma = args.indexOf(',');
        if (comma < 0) {
          throw bad(query, "quantile needs a level and a selector: quantile(0.99, m)");
        }
        double q;
        try {
          q = Double.parseDouble(args.substring(0, comma).trim());
        } catch (NumberFormatException e) {
          throw bad(
              query,
              "the quantile level '" + args.substring(0, comma).trim() + "' is not a number");
        }
        if (!(q >= 0 && q <= 1)) {
          throw bad(query, "the quantile level " + q + " is outside 0..1");
        }
        yield new Expression(fn, q, List.of(selector(query, args.substring(comma + 1))));
      }
      default -> throw bad(query, "has unknown function '" + fn + "'");
    };
  }

  private static Selector selector(String query, String text) {
    Matcher m = SELECTOR.matcher(text);
    if (!m.matches()) {
      throw bad(query, "has a malformed selector '" + text.trim() + "'");
    }
    List<LabelMatcher> matchers = new ArrayList<>();
    String body = m.group(2);
    if (body != null && !body.isBlank()) {
      for (String part : splitMatchers(body)) {
        Matcher lm = MATCHER.matcher(part);
        if (!lm.matches()) {
          throw bad(query, "has a malformed label condition '" + part.trim() + "'");
        }
        Op op =
            switch (lm.group(2)) {
              case "=" -> Op.EQ;
              case "!=" -> Op.NE;
              case "=~" -> Op.RE;
              default -> Op.NRE;
            };
        String value = lm.group(3).replace("\\\"", "\"").replace("\\\\", "\\");
        Pattern p = null;
        if (op == Op.RE || op == Op.NRE) {
          try {
            p = Pattern.compile(value);
          } catch (PatternSyntaxException e) {
            throw bad(query, "has an invalid regular expression '" + value + "'");
          }
        }
        matchers.add(new LabelMatcher(lm.group(1), op, value, p));
      }
    }
    Duration range = m.group(3) == null ? null : parseDuration(m.group(3));
    return new Selector(m.group(1), matchers, range);
  }

  private static int topLevelSlash(String args) {
    boolean quoted = false;
    int depth = 0;
    for (int i = 0; i < args.length(); i++) {
      char c = args.charAt(i);
      if (c == '\\' && quoted) {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && (c == '{' || c == '[')) {
        depth++;
      } else if (!quoted && (c == '}' || c == ']')) {
        depth--;
      } else if (!quoted && depth == 0 && c == '/') {
        return i;
      }
    }
    return -1;
  }

  private static List<String> splitMatchers(String body) {
    List<String> parts = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '\\' && quoted && i + 1 < body.length()) {
        cur.append(c).append(body.charAt(++i));
        continue;
      }
      if (c == '"') {
        quoted = !quoted;
      }
      if (c == ',' && !quoted) {
        parts.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    if (!cur.toString().isBlank()) {
      parts.add(cur.toString());
    }
    return parts;
  }

  private static Duration parseDuration(String s) {
    long n = Long.parseLong(s.replaceAll("[a-z]+$", ""));
    String unit = s.replaceAll("^[0-9]+", "");
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  private static InvalidSpecException bad(String query, String problem) {
    return new InvalidSpecException(
        "query",
        "'" + query + "' " + problem,
        "write a selector m{l=\"v\"}, or one of sum|rate|count|samples(m{l=\"v\"}[5m]), ratio(a[5m] / b[5m]), quantile(0.99, m[5m])");
  }
}
