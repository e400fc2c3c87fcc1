// SPDX-License-Identifier: Apache-2.0
package io.cutover.security;

import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Searches everything a person or a log pipeline can see for secret values: files (journal
 * segments, instance records, logs, reports), strings (exception messages and their causes, rollout
 * reasons), spans (names, attributes, events, status) and the {@code toString()} of every object
 * reachable from the given roots.
 *
 * <p>The object walk follows the fields of Cutover's own classes (any package under {@code
 * io.cutover}), and the elements of collections, maps, arrays and optionals anywhere; it does not
 * enter other libraries' internals (an OkHttp client holds the token it sends, as it must). A
 * String, char[] or byte[] is a value, not an object that prints itself: holding a secret is not a
 * leak, printing it is.
 */
final class LeakScanner {
  private final Set<String> secrets;
  private final List<String> findings = new ArrayList<>();
  private int objectsWalked;
  private int filesRead;

  LeakScanner(Set<String> secrets) {
    this.secrets = Set.copyOf(secrets);
  }

  /** What was found, one line per leak, naming where. Empty when nothing leaked. */
  List<String> findings() {
    return List.copyOf(findings);
  }

  int objectsWalked() {
    return objectsWalked;
  }

  int filesRead() {
    return filesRead;
  }

  /** Every regular file under {@code dir}, as bytes (the secret in UTF-8 anywhere counts). */
  LeakScanner files(Path dir) {
    if (!Files.exists(dir)) {
      return this;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (Files.isRegularFile(p)) {
          filesRead++;
          text("file " + p, new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** One piece of text seen by a user, e.g. a log or a rollout's reason. */
  LeakScanner text(String where, String text) {
    for (String s : secrets) {
      // ISO-8859-1 decoding keeps UTF-8 bytes of an ASCII secret unchanged; secrets here are ASCII.
      if (text.contains(s)) {
        findings.add(where + " contains secret " + redactedName(s));
      }
    }
    return this;
  }

  /** An exception's message, and its causes' and suppressed exceptions', and their toString(). */
  LeakScanner exception(String where, Throwable t) {
    IdentityHashMap<Throwable, Boolean> seen = new IdentityHashMap<>();
    Deque<Throwable> todo = new ArrayDeque<>();
    todo.push(t);
    while (!todo.isEmpty()) {
      Throwable e = todo.pop();
      if (seen.put(e, true) != null) {
        continue;
      }
      text(where + " (" + e.getClass().getName() + ")", String.valueOf(e));
      if (e.getCause() != null) {
        todo.push(e.getCause());
      }
      for (Throwable s : e.getSuppressed()) {
        todo.push(s);
      }
    }
    return this;
  }

  /** Span names, attributes, events with their attributes, status descriptions. */
  LeakScanner spans(List<SpanData> spans) {
    for (SpanData s : spans) {
      String where = "span " + s.getName();
      text(where + " name", s.getName());
      text(where + " attributes", s.getAttributes().toString());
      text(where + " status", s.getStatus().toString());
      for (EventData e : s.getEvents()) {
        text(where + " event " + e.getName(), e.getName() + " " + e.getAttributes());
      }
    }
    return this;
  }

  /** toString() of every object reachable from {@code roots} (see the class comment). */
  LeakScanner reachable(String where, Object... roots) {
    IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
    Deque<Object> todo = new ArrayDeque<>();
    for (Object r : roots) {
      if (r != null) {
        todo.push(r);
      }
    }
    while (!todo.isEmpty() && objectsWalked < 200_000) {
      Object o = todo.pop();
      if (seen.put(o, true) != null || isValue(o)) {
        continue;
      }
      objectsWalked++;
      Class<?> c = o.getClass();
      if (ours(c)) {
        String printed;
        try {
          printed = String.valueOf(o);
        } catch (RuntimeException e) {
          printed = "";
        }
        text(where + ": toString() of a " + c.getName(), printed);
      }
      children(o, todo);
    }
    return this;
  }

  private static boolean isValue(Object o) {
    return o instanceof CharSequence
        || o instanceof char[]
        || o instanceof byte[]
        || o instanceof Number
        || o instanceof Boolean
        || o instanceof Enum<?>
        || o instanceof Class<?>
        || o instanceof Thread
        || o instanceof ClassLoader;
  }

  private static boolean ours(Class<?> c) {
    return c.getName().startsWith("io.cutover.");
  }

  private static void children(Object o, Deque<Object> todo) {
    if (o instanceof Map<?, ?> m) {
      try {
        for (Map.Entry<?, ?> e : m.entrySet()) {
          push(todo, e.getKey());
          push(todo, e.getValue());
        }
      } catch (RuntimeException concurrentlyModified) {
        // A live map changed under the walk; what was pushed is enough.
      }
      return;
    }
    if (o instanceof Collection<?> col) {
      try {
        for (Object e : col) {
          push(todo, e);
        }
      } catch (RuntimeException concurrentlyModified) {
        // as above
      }
      return;
    }
    if (o instanceof Optional<?> opt) {
      opt.ifPresent(v -> push(todo, v));
      return;
    }
    if (o.getClass().isArray()) {
      if (!o.getClass().getComponentType().isPrimitive()) {
        for (int i = 0; i < Array.getLength(o); i++) {
          push(todo, Array.get(o, i));
        }
      }
      return;
    }
    for (Class<?> c = o.getClass(); c != null && ours(c); c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
          continue;
        }
        try {
          f.setAccessible(true);
          push(todo, f.get(o));
        } catch (RuntimeException | IllegalAccessException e) {
          // Not reachable by reflection: not reachable by a test either.
        }
      }
    }
  }

  private static void push(Deque<Object> todo, Object o) {
    if (o != null) {
      todo.push(o);
    }
  }

  /** Names a secret in a finding without printing it (the test output is a report too). */
  private static String redactedName(String secret) {
    return secret.substring(0, Math.min(8, secret.length())) + "…";
  }
}
