// SPDX-License-Identifier: Apache-2.0
package io.cutover.testfixtures.fuzz;

import io.cutover.api.InvalidSpecException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The oracle of every fuzz property: runs a parser on one input and tells a documented refusal from
 * a bug. A documented refusal is an exception of one of the parser's documented types whose message
 * is not blank and, for an {@link InvalidSpecException}, whose every violation names a path;
 * anything else (a {@code NullPointerException}, {@code ClassCastException}, {@code
 * NumberFormatException}, {@code IndexOutOfBoundsException}, {@code StackOverflowError}, {@code
 * OutOfMemoryError}, an undocumented exception type, a documented one wrapping any of these, or a
 * message that names nowhere) is <em>unexpected</em> and fails the property with the input printed.
 *
 * <p>Counts inputs and unexpected outcomes per parser name, in this JVM, for {@code
 * ./benchmarks/run fuzz} ({@code BENCH fuzz.<parser>.inputs} and {@code .unexpected}). Thread-safe.
 */
public final class Fuzz {
  private static final ConcurrentMap<String, LongAdder[]> COUNTS = new ConcurrentHashMap<>();

  /** Programming errors: found as the cause of a documented exception, still unexpected. */
  private static final List<Class<? extends Throwable>> BUGS =
      List.of(
          NullPointerException.class,
          ClassCastException.class,
          IndexOutOfBoundsException.class,
          NumberFormatException.class,
          ArithmeticException.class,
          StackOverflowError.class,
          OutOfMemoryError.class);

  private Fuzz() {}

  /** What a parser did with one input: a value, or a documented refusal. */
  public record Outcome<T>(@Nullable T value, @Nullable Throwable refusal) {
    /** Whether the parser accepted the input. */
    public boolean accepted() {
      return refusal == null;
    }
  }

  /** Inputs and unexpected outcomes of one parser so far. */
  public record Counts(long inputs, long unexpected) {}

  /**
   * Runs {@code call} on one input of {@code parser}.
   *
   * @param parser the parser's name in the figures, e.g. {@code plan_json}
   * @param input the input, printed (escaped, shortened) if the outcome is unexpected
   * @param documented the exception types the parser documents for bad input
   * @throws AssertionError if the outcome is unexpected
   */
  @SafeVarargs
  public static <T> Outcome<T> run(
      String parser,
      Object input,
      Callable<? extends @Nullable T> call,
      Class<? extends Throwable>... documented) {
    LongAdder[] c = counts(parser);
    c[0].increment();
    try {
      return new Outcome<>(call.call(), null);
    } catch (Throwable t) { // NOPMD: Errors (StackOverflowError, OutOfMemoryError) are findings too
      String problem = problem(t, List.of(documented));
      if (problem == null) {
        return new Outcome<>(null, t);
      }
      c[1].increment();
      throw new AssertionError(
          "fuzz." + parser + ": " + problem + "\n  input: " + printable(input), t);
    }
  }

  /**
   * Records an unexpected outcome found by a property's own check (a broken round trip, a side
   * effect before validation) and fails.
   */
  public static AssertionError unexpected(String parser, Object input, String problem) {
    counts(parser)[1].increment();
    return new AssertionError("fuzz." + parser + ": " + problem + "\n  input: " + printable(input));
  }

  /** Fails with {@link #unexpected} unless {@code ok}: a property's own check, counted. */
  public static void require(boolean ok, String parser, Object input, Supplier<String> problem) {
    if (!ok) {
      throw unexpected(parser, input, problem.get());
    }
  }

  /** The counts of every parser run so far in this JVM, by name. */
  public static Map<String, Counts> counts() {
    Map<String, Counts> out = new TreeMap<>();
    COUNTS.forEach((k, v) -> out.put(k, new Counts(v[0].sum(), v[1].sum())));
    return out;
  }

  /** Forgets all counts. */
  public static void reset() {
    COUNTS.clear();
  }

  /** The input escaped to printable ASCII and cut to 600 characters. */
  public static String printable(Object input) {
    String s =
        input instanceof byte[] b
            ? new String(b, StandardCharsets.ISO_8859_1)
            : String.valueOf(input);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && sb.length() < 600; i++) {
      char ch = s.charAt(i);
      if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
        sb.append(ch);
      } else {
        sb.append(String.format("\\u%04x", (int) ch));
      }
    }
    return sb.length() < 600 ? sb.toString() : sb + "... (" + s.length() + " chars)";
  }

  private static boolean isBug(Throwable t) {
    return BUGS.stream().anyMatch(b -> b.isInstance(t));
  }

  private static LongAdder[] counts(String parser) {
    return COUNTS.computeIfAbsent(parser, k -> new LongAdder[] {new LongAdder(), new LongAdder()});
  }

  private static @Nullable String problem(
      Throwable t, List<Class<? extends Throwable>> documented) {
    if (documented.stream().noneMatch(d -> d.isInstance(t))) {
      return "undocumented " + t.getClass().getName() + ": " + t.getMessage();
    }
    for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (isBug(c)) {
        // A catch-all that wraps a programming error in a documented type hides the bug.
        return t.getClass().getName() + " wrapping " + c;
      }
    }
    String message = t.getMessage();
    if (message == null || message.isBlank()) {
      return t.getClass().getName() + " without a message";
    }
    if (t instanceof InvalidSpecException e) {
      for (InvalidSpecException.Violation v : e.violations()) {
        if (v.path().isBlank()) {
          return "a violation without a path: " + v;
        }
      }
    }
    return null;
  }
}
