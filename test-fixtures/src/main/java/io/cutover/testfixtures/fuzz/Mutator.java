// SPDX-License-Identifier: Apache-2.0
package io.cutover.testfixtures.fuzz;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Turns a valid input into a hostile one, deterministically from a {@link Random}: bit flips,
 * truncation, duplication, deletion and insertion of bytes; and, for JSON, mutations of the tree
 * (type changes, huge and odd numbers, deep nesting, unicode, path tricks, removed, renamed and
 * duplicated keys). Each call stacks one to four mutations, so most outputs are near-valid: they
 * get past the syntax check and reach the code behind it, where the bugs are.
 *
 * <p>Stateless; thread-safe as long as each thread passes its own {@code Random}.
 */
public final class Mutator {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Strings that break naive code: unicode edge cases, control characters, path tricks. */
  public static final List<String> HOSTILE_STRINGS =
      List.of(
          "",
          " ",
          "\u0000",
          "a\u0000b",
          "\n",
          "a;b",
          "a b",
          "\r\nX-Injected: 1",
          "../../../../etc/passwd",
          "..",
          "/etc/passwd",
          "/",
          "a/../../b",
          "./a/./b",
          "a//b",
          "%2e%2e%2f",
          "C:\\Windows\\system32",
          "\\\\host\\share",
          "file:///etc/passwd",
          "\ud800",
          "\udfff\ud800",
          "\ud83d\ude00",
          "e\u0301",
          "\u202eevil",
          "\ufeff",
          "\uffff",
          "İı",
          "ß",
          "sha256:",
          "sha256:" + "a".repeat(64),
          "sha512:" + "0".repeat(128),
          "sha256:" + "A".repeat(64),
          "@",
          ":",
          "a:b:c@d",
          "${jndi:ldap://x}",
          "%s%n%x",
          "*",
          "**",
          "[",
          "{",
          "\"",
          "'",
          "true",
          "null",
          "NaN",
          "-0",
          "1e309",
          "PT-1S",
          "P99999999999999999D",
          "9999999999999999999999s",
          "x".repeat(70_000));

  /** Numbers that break naive arithmetic and conversions. */
  public static final List<Number> HOSTILE_NUMBERS =
      List.of(
          0,
          -1,
          1,
          Integer.MAX_VALUE,
          Integer.MIN_VALUE,
          Long.MAX_VALUE,
          Long.MIN_VALUE,
          new BigInteger("99999999999999999999999999999999999999"),
          new BigInteger("-18446744073709551616"),
          0.5,
          -0.0,
          1e308,
          -1e308,
          Double.MIN_VALUE,
          4.9e-324,
          new BigDecimal("1e400"),
          new BigDecimal("1e-400"),
          2147483648L,
          9.223372036854775807E18);

  private Mutator() {}

  /** One to four byte-level mutations of {@code seed} (never changes {@code seed}). */
  public static byte[] bytes(byte[] seed, Random r) {
    byte[] b = seed.clone();
    int n = 1 + r.nextInt(4);
    for (int i = 0; i < n; i++) {
      b = oneByteMutation(b, r);
    }
    return b;
  }

  /**
   * One to four mutations of {@code seed} as text: byte-level on its UTF-8 form (so invalid UTF-8
   * comes back as replacement characters), or a hostile string inserted or substituted.
   */
  public static String text(String seed, Random r) {
    String s = seed;
    int n = 1 + r.nextInt(4);
    for (int i = 0; i < n; i++) {
      s =
          switch (r.nextInt(4)) {
            case 0 ->
                new String(
                    oneByteMutation(s.getBytes(StandardCharsets.UTF_8), r), StandardCharsets.UTF_8);
            case 1 -> insert(s, pick(HOSTILE_STRINGS, r), r);
            case 2 -> replaceToken(s, r);
            default -> duplicateLine(s, r);
          };
    }
    return s;
  }

  /**
   * A mutation of a JSON document: usually one to three tree mutations (still well-formed JSON),
   * sometimes followed by a text mutation (syntax errors), sometimes a deep nesting. If {@code
   * seed} is not JSON, falls back to {@link #text}.
   */
  public static String json(String seed, Random r) {
    JsonNode root;
    try {
      root = JSON.readTree(seed);
    } catch (JsonProcessingException e) {
      return text(seed, r);
    }
    if (root == null) {
      return text(seed, r);
    }
    int n = 1 + r.nextInt(3);
    for (int i = 0; i < n; i++) {
      root = mutateTree(root, r);
    }
    String out;
    try {
      out = root.toString();
    } catch (RuntimeException tooDeep) { // stacked nestings beyond Jackson's writer limit
      return text(seed, r);
    }
    int tail = r.nextInt(10);
    if (tail == 0) {
      return text(out, r);
    }
    if (tail == 1) {
      return duplicateKey(out, r);
    }
    if (tail == 2) {
      int colon = out.indexOf(':', r.nextInt(out.length()));
      if (colon >= 0) {
        return out.substring(0, colon + 1)
            + deepNesting(1_000 + r.nextInt(50_000), r.nextBoolean())
            + ","
            + out.substring(colon + 1);
      }
    }
    return out;
  }

  /** A JSON value nested {@code depth} times: {@code [[[...]]]} or {@code {"a":{"a":...}}}. */
  public static String deepNesting(int depth, boolean arrays) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < depth; i++) {
      sb.append(arrays ? "[" : "{\"a\":");
    }
    sb.append("1");
    for (int i = 0; i < depth; i++) {
      sb.append(arrays ? "]" : "}");
    }
    return sb.toString();
  }

  /** A random element. */
  public static <T> T pick(List<T> list, Random r) {
    return list.get(r.nextInt(list.size()));
  }

  private static byte[] oneByteMutation(byte[] b, Random r) {
    if (b.length == 0) {
      byte[] out = new byte[1 + r.nextInt(8)];
      r.nextBytes(out);
      return out;
    }
    int at = r.nextInt(b.length);
    switch (r.nextInt(8)) {
      case 0: // flip one bit
        {
          byte[] out = b.clone();
          out[at] ^= (byte) (1 << r.nextInt(8));
          return out;
        }
      case 1: // set an interesting byte
        {
          byte[] out = b.clone();
          byte[] interesting = {0, (byte) 0xff, 0x7f, (byte) 0x80, '"', '\\', '\n', '{', '[', ':'};
          out[at] = interesting[r.nextInt(interesting.length)];
          return out;
        }
      case 2: // truncate
        return Arrays.copyOf(b, at);
      case 3: // duplicate a slice in place
        {
          int len = 1 + r.nextInt(Math.min(b.length - at, 64));
          byte[] out = new byte[b.length + len];
          System.arraycopy(b, 0, out, 0, at + len);
          System.arraycopy(b, at, out, at + len, b.length - at);
          return out;
        }
      case 4: // delete a slice
        {
          int len = 1 + r.nextInt(Math.min(b.length - at, 64));
          byte[] out = new byte[b.length - len];
          System.arraycopy(b, 0, out, 0, at);
          System.arraycopy(b, at + len, out, at, b.length - at - len);
          return out;
        }
      case 5: // insert random bytes
        {
          byte[] ins = new byte[1 + r.nextInt(16)];
          r.nextBytes(ins);
          byte[] out = new byte[b.length + ins.length];
          System.arraycopy(b, 0, out, 0, at);
          System.arraycopy(ins, 0, out, at, ins.length);
          System.arraycopy(b, at, out, at + ins.length, b.length - at);
          return out;
        }
      case 6: // overwrite four bytes with an extreme 32-bit value (lengths, counts, offsets)
        {
          byte[] out = b.clone();
          int[] values = {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x7fff, 0x10000};
          int v = values[r.nextInt(values.length)];
          for (int i = 0; i < 4 && at + i < out.length; i++) {
            out[at + i] = (byte) (v >>> (24 - 8 * i));
          }
          return out;
        }
      default: // swap two bytes
        {
          byte[] out = b.clone();
          int other = r.nextInt(b.length);
          byte t = out[at];
          out[at] = out[other];
          out[other] = t;
          return out;
        }
    }
  }

  private static String insert(String s, String what, Random r) {
    int at = r.nextInt(s.length() + 1);
    return s.substring(0, at) + what + s.substring(at);
  }

  /** Replaces a run of letters or digits with a hostile string or number. */
  private static String replaceToken(String s, Random r) {
    if (s.isEmpty()) {
      return pick(HOSTILE_STRINGS, r);
    }
    int at = r.nextInt(s.length());
    int start = at;
    while (start > 0 && Character.isLetterOrDigit(s.charAt(start - 1))) {
      start--;
    }
    int end = at;
    while (end < s.length() && Character.isLetterOrDigit(s.charAt(end))) {
      end++;
    }
    String with =
        r.nextBoolean() ? pick(HOSTILE_STRINGS, r) : String.valueOf(pick(HOSTILE_NUMBERS, r));
    return s.substring(0, start) + with + s.substring(end);
  }

  private static String duplicateLine(String s, Random r) {
    String[] lines = s.split("\n", -1);
    int at = r.nextInt(lines.length);
    List<String> out = new ArrayList<>(Arrays.asList(lines));
    out.add(at, lines[at]);
    return String.join("\n", out);
  }

  /** Repeats one {@code "key": value} member right after itself (a duplicate key). */
  private static String duplicateKey(String json, Random r) {
    List<Integer> keys = new ArrayList<>();
    for (int i = json.indexOf("{\""); i >= 0; i = json.indexOf("{\"", i + 1)) {
      keys.add(i + 1);
    }
    for (int i = json.indexOf(",\""); i >= 0; i = json.indexOf(",\"", i + 1)) {
      keys.add(i + 1);
    }
    if (keys.isEmpty()) {
      return json;
    }
    int start = pick(keys, r);
    int colon = json.indexOf("\":", start + 1);
    if (colon < 0) {
      return json;
    }
    int end = json.indexOf(',', colon);
    int close = json.indexOf('}', colon);
    if (end < 0 || (close >= 0 && close < end)) {
      end = close;
    }
    if (end < 0) {
      return json;
    }
    String member = json.substring(start, end);
    return json.substring(0, end) + "," + member + json.substring(end);
  }

  private static JsonNode mutateTree(JsonNode root, Random r) {
    List<JsonNode> containers = new ArrayList<>();
    collectContainers(root, containers);
    if (containers.isEmpty() || r.nextInt(20) == 0) {
      return replacement(root, r);
    }
    JsonNode parent = pick(containers, r);
    if (parent instanceof ObjectNode o) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      switch (r.nextInt(names.isEmpty() ? 1 : 5)) {
        case 0 -> o.set(pick(List.of("x", "unknown", "", "\u0000", "$", "kind"), r), value(r));
        case 1 -> o.remove(pick(names, r));
        case 2 -> {
          String name = pick(names, r);
          JsonNode v = o.remove(name);
          o.set(rename(name, r), v);
        }
        default -> {
          String name = pick(names, r);
          o.set(name, replacement(o.get(name), r));
        }
      }
    } else if (parent instanceof ArrayNode a) {
      switch (r.nextInt(a.isEmpty() ? 1 : 4)) {
        case 0 -> a.add(a.isEmpty() ? value(r) : a.get(r.nextInt(a.size())).deepCopy());
        case 1 -> a.remove(r.nextInt(a.size()));
        default -> {
          int i = r.nextInt(a.size());
          a.set(i, replacement(a.get(i), r));
        }
      }
    }
    return root;
  }

  private static void collectContainers(JsonNode n, List<JsonNode> out) {
    if (n.isContainerNode()) {
      out.add(n);
      for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
        collectContainers(it.next(), out);
      }
    }
  }

  private static String rename(String name, Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> name.toUpperCase(Locale.ROOT);
      case 1 -> name + "\u0000";
      case 2 -> name.isEmpty() ? "x" : name.substring(1);
      default -> name + "s";
    };
  }

  /** A value of another type or an extreme value of the same type. */
  private static JsonNode replacement(JsonNode old, Random r) {
    if (old.isTextual() && r.nextBoolean()) {
      String s = old.textValue();
      return switch (r.nextInt(4)) {
        case 0 -> NODES.textNode(text(s, r));
        case 1 -> NODES.textNode(s + pick(HOSTILE_STRINGS, r));
        case 2 -> NODES.textNode(s.isEmpty() ? s : s.substring(0, r.nextInt(s.length())));
        default -> NODES.textNode(s.repeat(1 + r.nextInt(3)));
      };
    }
    if (old.isNumber() && r.nextBoolean()) {
      return number(r);
    }
    return value(r);
  }

  private static JsonNode value(Random r) {
    return switch (r.nextInt(9)) {
      case 0 -> NODES.nullNode();
      case 1 -> NODES.booleanNode(r.nextBoolean());
      case 2, 3 -> number(r);
      case 4, 5 -> NODES.textNode(pick(HOSTILE_STRINGS, r));
      case 6 -> NODES.arrayNode();
      case 7 -> NODES.objectNode();
      // Below the readers' own limit (Jackson refuses 1000 levels): what passes the parser reaches
      // the code behind it. Deeper nesting is spliced in as text by json().
      default -> nested(1 + r.nextInt(r.nextBoolean() ? 5 : 450), r);
    };
  }

  private static JsonNode number(Random r) {
    Number n = pick(HOSTILE_NUMBERS, r);
    if (n instanceof BigInteger b) {
      return NODES.numberNode(b);
    }
    if (n instanceof BigDecimal d) {
      return NODES.numberNode(d);
    }
    if (n instanceof Double d) {
      return NODES.numberNode(d);
    }
    return NODES.numberNode(n.longValue());
  }

  private static JsonNode nested(int depth, Random r) {
    boolean arrays = r.nextBoolean();
    JsonNode n = NODES.numberNode(1);
    for (int i = 0; i < depth; i++) {
      if (arrays) {
        ArrayNode a = NODES.arrayNode();
        a.add(n);
        n = a;
      } else {
        ObjectNode o = NODES.objectNode();
        o.set("a", n);
        n = o;
      }
    }
    return n;
  }
}
