// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.http.metric;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.JsonPathException;
import com.jayway.jsonpath.PathNotFoundException;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.spi.MetricQuery;
import io.cutover.spi.MetricResult;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads samples out of a JSON answer with a JSONPath. Jayway runs over Jackson's tree (the module
 * already parses with Jackson); json-smart is still on the class path because Jayway's filter
 * compiler parses JSON literals with it.
 *
 * <p>What the path may select: a number (or a string holding one, as Prometheus-style APIs send), a
 * list of {@code [time, value]} points, or a list of one number (what a filter selects). Null, a
 * missing path, an empty list, {@code "NaN"} are no data.
 */
final class JsonValues {
  private static final Pattern DECIMAL =
      Pattern.compile("[-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?");

  private final ObjectMapper json;
  private final Configuration conf;

  JsonValues(ObjectMapper json) {
    this.json = json;
    this.conf =
        Configuration.builder()
            .jsonProvider(new JacksonJsonNodeJsonProvider(json))
            .mappingProvider(new JacksonMappingProvider(json))
            .build();
  }

  /**
   * Compiles a path, before any request is sent.
   *
   * @throws InvalidSpecException naming {@code query} if it is not a JSONPath
   */
  static JsonPath compile(String path) {
    try {
      return JsonPath.compile(path);
    } catch (InvalidPathException | IllegalArgumentException e) {
      throw new InvalidSpecException(
          "query",
          "'" + path + "' is not a JSONPath (" + e.getMessage() + ")",
          "write a path to the value in the endpoint's answer, e.g. $.data.value or"
              + " $.series[0].points");
    }
  }

  /**
   * The samples {@code path} selects in {@code doc} for {@code query}; {@code p} is the path as the
   * user wrote it and {@code detail} what was asked, both for messages.
   */
  MetricResult extract(JsonNode doc, JsonPath path, String p, MetricQuery query, String detail) {
    Object found;
    try {
      found = JsonPath.using(conf).parse(doc).read(path);
    } catch (PathNotFoundException missing) {
      return MetricResult.noData(detail + " (path not found)");
    } catch (JsonPathException e) {
      // Raised while evaluating, e.g. a filter over a number where the path expects a list: the
      // answer has another shape than the path assumes. Jayway's message quotes the answer, which
      // may hold anything, so it is not passed on.
      throw malformed(p, detail, " cannot be evaluated on the answer (its shape does not fit)");
    }
    JsonNode node = found instanceof JsonNode n ? n : json.valueToTree(found);
    if (node == null || node.isNull() || node.isMissingNode()) {
      return MetricResult.noData(detail + " (null)");
    }
    if (node.isArray() && node.size() > 0 && node.get(0).isArray()) {
      return series(node, p, query, detail);
    }
    if (node.isArray()) {
      if (node.isEmpty()) {
        return MetricResult.noData(detail + " (empty list)");
      }
      if (node.size() > 1) {
        throw new InvalidSpecException(
            "query",
            "'" + p + "' selects " + node.size() + " values in " + detail,
            "narrow it to one value (an index such as [0], or a filter on the release), or"
                + " select a list of [time, value] points");
      }
      node = node.get(0);
      if (node.isNull()) {
        return MetricResult.noData(detail + " (null)");
      }
    }
    double v = number(node, p, detail, "");
    return Double.isNaN(v)
        ? MetricResult.noData(detail + " (NaN)")
        : MetricResult.of(query.end(), v, detail);
  }

  private static MetricResult series(JsonNode points, String p, MetricQuery q, String detail) {
    List<MetricResult.Sample> samples = new ArrayList<>();
    for (int i = 0; i < points.size(); i++) {
      JsonNode pt = points.get(i);
      String at = "[" + i + "]";
      if (!pt.isArray() || pt.size() != 2) {
        throw malformed(p, detail, at + " is not a [time, value] pair");
      }
      Instant t = time(pt.get(0), p, detail, at);
      boolean outside = t.isAfter(q.end()) || (q.step() != null && t.isBefore(q.start()));
      if (pt.get(1).isNull() || outside) {
        continue; // a gap, or a point outside the window asked for (many endpoints ignore it)
      }
      samples.add(new MetricResult.Sample(t, number(pt.get(1), p, detail, at + "[1]")));
    }
    samples.sort(Comparator.comparing(MetricResult.Sample::time));
    MetricResult all = new MetricResult(samples, detail); // drops NaN points
    if (q.step() == null && !all.isNoData()) {
      // An instant query reads the newest point at or before its time.
      return new MetricResult(List.of(all.samples().get(all.samples().size() - 1)), detail);
    }
    return all;
  }

  private static Instant time(JsonNode n, String p, String detail, String at) {
    try {
      if (n.isNumber() || (n.isTextual() && DECIMAL.matcher(n.asText()).matches())) {
        double s = n.isNumber() ? n.doubleValue() : Double.parseDouble(n.asText());
        if (!Double.isFinite(s)) {
          throw new DateTimeException("not finite");
        }
        long secs = (long) Math.floor(s);
        return Instant.ofEpochSecond(secs, Math.round((s - secs) * 1e9));
      }
      if (n.isTextual()) {
        return Instant.parse(n.asText());
      }
    } catch (DateTimeException | ArithmeticException e) {
      throw malformed(p, detail, at + "[0] is not a time (" + e.getMessage() + ")");
    }
    throw malformed(p, detail, at + "[0] is " + kind(n) + ", not a time");
  }

  private static double number(JsonNode n, String p, String detail, String at) {
    if (n.isNumber()) {
      return n.doubleValue();
    }
    if (n.isTextual()) {
      String s = n.asText().strip();
      switch (s) {
        case "NaN":
          return Double.NaN;
        case "+Inf", "Inf", "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Inf", "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          if (DECIMAL.matcher(s).matches()) {
            return Double.parseDouble(s);
          }
      }
      // The text itself is not shown: an answer may hold anything, and messages are journalled.
      throw malformed(p, detail, at + " is a string that is not a number");
    }
    throw malformed(p, detail, at + " is " + kind(n) + ", not a number");
  }

  private static String kind(JsonNode n) {
    return switch (n.getNodeType()) {
      case OBJECT, POJO -> "an object";
      case ARRAY -> "a list";
      case BOOLEAN -> "a boolean";
      case STRING -> "a string";
      default -> "a " + n.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }

  private static ProviderException malformed(String p, String detail, String what) {
    return ProviderException.permanent(
        "web",
        "query",
        "JSONPath '"
            + p
            + "'"
            + what
            + " in "
            + detail
            + "; point the path at a number or a list of [time, value] points");
  }
}
