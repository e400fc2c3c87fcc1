package io.cutover.core.internal.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/**
 * Journal payloads. Most are flat maps of strings, numbers and booleans written on the hot path (one per
 * verdict), so those are assembled directly, with Jackson's encoder doing the string escaping; nested
 * values go through the mapper.
 */
final class Payloads {
  private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();

  private Payloads() {}

  static String json(ObjectMapper mapper, Map<String, ?> payload) {
    StringBuilder sb = new StringBuilder(96).append('{');
    boolean first = true;
    for (Map.Entry<String, ?> e : payload.entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      quote(sb, e.getKey()).append(':');
      Object v = e.getValue();
      if (v == null) {
        sb.append("null");
      } else if (v instanceof String s) {
        quote(sb, s);
      } else if (v instanceof Integer || v instanceof Long || v instanceof Boolean) {
        sb.append(v);
      } else if (v instanceof java.util.List<?> list && list.stream().allMatch(x -> x instanceof String)) {
        sb.append('[');
        for (int i = 0; i < list.size(); i++) {
          if (i > 0) {
            sb.append(',');
          }
          quote(sb, (String) list.get(i));
        }
        sb.append(']');
      } else {
        try {
          sb.append(mapper.writeValueAsString(v));
        } catch (JsonProcessingException ex) {
          throw new IllegalStateException("cannot serialize journal payload value " + e.getKey(), ex);
        }
      }
    }
    return sb.append('}').toString();
  }

  private static StringBuilder quote(StringBuilder sb, String s) {
    sb.append('"');
    ENCODER.quoteAsString(s, sb);
    return sb.append('"');
  }
}
