// SPDX-License-Identifier: Apache-2.0
package io.cutover.spec.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where each node of a YAML document starts, by JSON path ({@code $.strategy.canary.steps[2]}):
 * Jackson's tree model drops positions, so the document is streamed once more to record them. A
 * key's position is where the key is written, which is what an editor should jump to.
 *
 * <p>Immutable once built; thread-safe.
 */
public final class Locations {
  /** A 1-based line and column. */
  public record Position(int line, int column) {}

  private static final Position UNKNOWN = new Position(0, 0);
  private final Map<String, Position> byPath;

  private Locations(Map<String, Position> byPath) {
    this.byPath = byPath;
  }

  /** No positions (a spec built from a tree rather than from text). */
  public static Locations none() {
    return new Locations(Map.of());
  }

  /**
   * Streams {@code text} with {@code mapper}'s factory and records every node's position. Text that
   * does not parse yields the positions read before the error (the error itself is reported by the
   * tree parse).
   */
  public static Locations of(ObjectMapper mapper, String text) {
    Map<String, Position> out = new HashMap<>();
    try (JsonParser p = mapper.getFactory().createParser(text)) {
      if (p.nextToken() != null) {
        walk(p, "$", out);
      }
    } catch (IOException | RuntimeException e) {
      // The tree parse reports the syntax error with its own position.
    }
    return new Locations(out);
  }

  private static void walk(JsonParser p, String path, Map<String, Position> out)
      throws IOException {
    out.putIfAbsent(path, at(p.currentTokenLocation()));
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT) {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String child = path + "." + p.currentName();
        out.putIfAbsent(child, at(p.currentTokenLocation()));
        p.nextToken();
        walk(p, child, out);
      }
    } else if (t == JsonToken.START_ARRAY) {
      int i = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        walk(p, path + "[" + i++ + "]", out);
      }
    }
  }

  private static Position at(JsonLocation l) {
    return new Position(Math.max(l.getLineNr(), 0), Math.max(l.getColumnNr(), 0));
  }

  /**
   * The position of {@code path}, or of its nearest enclosing node that has one (a problem about a
   * missing key points at the object that lacks it); (0, 0) if none is known.
   */
  public Position find(String path) {
    String p = path;
    while (true) {
      Position pos = byPath.get(p);
      if (pos != null) {
        return pos;
      }
      @Nullable String parent = parent(p);
      if (parent == null) {
        return byPath.getOrDefault("$", UNKNOWN);
      }
      p = parent;
    }
  }

  private static @Nullable String parent(String path) {
    int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    return cut <= 0 ? null : path.substring(0, cut);
  }
}
