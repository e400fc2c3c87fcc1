// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.crash;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.api.ProviderException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The durable record of what the outside world went through: one JSON line per {@link Effect}, each
 * written and forced to disk ({@code FileChannel.force}) before the provider call that caused it
 * returns. It stands for the real world in crash tests: it survives the engine's process, so a
 * restarted engine meets the instances and splits its previous life created, and a checker reads
 * afterwards exactly what happened, in order.
 *
 * <p>An effect is applied exactly when its line is complete on disk: a process killed in the middle
 * of a write leaves a line without its newline, which was never acknowledged and is cut off by
 * {@link #open} (and ignored by {@link #read}).
 *
 * <p><b>Shared between processes.</b> A log opened with {@link #openShared} may be appended to by
 * several processes at once (engine replicas in child JVMs sharing one recorded world): every
 * append happens inside {@link #exclusive}, which holds an exclusive lock on the file ({@code
 * FileChannel.lock}, released by the operating system when its holder dies), first reads the
 * effects other processes appended since, then runs the caller's action. A torn last line found
 * there was left by a process killed while it held the lock: it was never acknowledged, and is cut
 * off.
 *
 * <p><b>Threading.</b> {@link #append} is synchronized; a log opened with {@link #open} must be
 * held open for appending by one process at a time (not enforced: the crash campaign runs one child
 * at a time).
 *
 * <p><b>Errors.</b> {@link UncheckedIOException} when the file cannot be read or created; a failed
 * append throws a non-retryable {@link ProviderException} (the effect did not happen).
 */
public final class EffectLog implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final FileChannel channel;
  private final List<Effect> effects;
  private final boolean shared;

  /** Whether this process holds the file lock now (shared logs: appends only then). */
  private boolean locked;

  private EffectLog(Path file, FileChannel channel, List<Effect> effects, boolean shared) {
    this.file = file;
    this.channel = channel;
    this.effects = effects;
    this.shared = shared;
  }

  /** Opens (creating if needed) a log for appending, after cutting off a torn last line. */
  public static EffectLog open(Path file) {
    return open(file, false);
  }

  /**
   * Opens (creating if needed) a log that several processes append to, each inside {@link
   * #exclusive}.
   */
  public static EffectLog openShared(Path file) {
    return open(file, true);
  }

  private static EffectLog open(Path file, boolean shared) {
    if (shared) {
      // What is there is read under the lock, at the first exclusive(): another process may be
      // writing now.
      try {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        FileChannel ch =
            FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new EffectLog(file, ch, new ArrayList<>(), true);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open effect log " + file, e);
      }
    }
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      FileChannel ch =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      byte[] bytes = Files.readAllBytes(file);
      int complete = completeLength(bytes);
      if (complete < bytes.length) {
        ch.truncate(complete);
        ch.force(true);
      }
      ch.position(complete);
      return new EffectLog(file, ch, parse(file, bytes, complete), false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open effect log " + file, e);
    }
  }

  /**
   * Reads every complete line of a log without opening it for writing; empty if the file is
   * missing.
   */
  public static List<Effect> read(Path file) {
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      byte[] bytes = Files.readAllBytes(file);
      return List.copyOf(parse(file, bytes, completeLength(bytes)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read effect log " + file, e);
    }
  }

  /** The effects read at open and appended since, in order. */
  public synchronized List<Effect> effects() {
    return List.copyOf(effects);
  }

  /** The index the next appended effect gets. */
  public synchronized long nextIndex() {
    return effects.size();
  }

  /**
   * Runs {@code action} as the only writer of the log: for a {@linkplain #openShared shared} log,
   * holding the file's exclusive lock, after reading the effects other processes appended since the
   * last call (each handed to {@code appendedElsewhere}, in order); for a log of one process, at
   * once.
   *
   * @throws UncheckedIOException if the file cannot be locked or read
   */
  public synchronized <T> T exclusive(Consumer<Effect> appendedElsewhere, Supplier<T> action) {
    if (!shared) {
      return action.get();
    }
    try (FileLock lock = channel.lock()) {
      int known = effects.size();
      catchUp();
      effects.subList(known, effects.size()).forEach(appendedElsewhere);
      locked = true;
      try {
        return action.get();
      } finally {
        locked = false;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock or read effect log " + file, e);
    }
  }

  /**
   * Reads the complete lines past what this process knows; cuts off a torn tail (its writer died
   * holding the lock we hold now).
   */
  private void catchUp() throws IOException {
    long from = channel.position();
    long size = channel.size();
    if (size > from) {
      ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(size - from));
      while (buf.hasRemaining() && channel.read(buf, from + buf.position()) >= 0) {
        // read until the buffer is full
      }
      byte[] bytes = buf.array();
      int complete = completeLength(bytes);
      List<Effect> more = parse(file, bytes, complete, effects.size());
      effects.addAll(more);
      if (complete < bytes.length) {
        channel.truncate(from + complete);
        channel.force(true);
      }
      channel.position(from + complete);
    } else if (size < from) {
      throw new IllegalStateException(
          "effect log " + file + " shrank from " + from + " to " + size + " bytes behind our back");
    }
  }

  /**
   * Appends an effect (its index must be {@link #nextIndex()}) and forces it to disk; on a shared
   * log only inside {@link #exclusive}.
   *
   * @throws ProviderException if it cannot be written; the effect then did not happen
   */
  public synchronized void append(Effect effect) {
    if (shared && !locked) {
      throw new IllegalStateException(
          "effect log " + file + " is shared: append inside exclusive(...), which holds its lock");
    }
    if (effect.index() != effects.size()) {
      throw new IllegalArgumentException(
          "effect index " + effect.index() + " but the log holds " + effects.size());
    }
    try {
      byte[] line = (JSON.writeValueAsString(effect) + "\n").getBytes(StandardCharsets.UTF_8);
      ByteBuffer buf = ByteBuffer.wrap(line);
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
      channel.force(false);
    } catch (IOException e) {
      throw ProviderException.permanent(
          "effect-log",
          effect.kind().name().toLowerCase(Locale.ROOT),
          "cannot append to " + file + ": " + e,
          e);
    }
    effects.add(effect);
  }

  @Override
  public synchronized void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int completeLength(byte[] bytes) {
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] != '\n') {
      end--;
    }
    return end;
  }

  private static List<Effect> parse(Path file, byte[] bytes, int length) {
    return parse(file, bytes, length, 0);
  }

  private static List<Effect> parse(Path file, byte[] bytes, int length, long firstIndex) {
    List<Effect> out = new ArrayList<>();
    String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
    int lineNo = 0;
    for (String line : text.split("\n")) {
      lineNo++;
      if (line.isEmpty()) {
        continue;
      }
      try {
        Effect e = JSON.readValue(line, Effect.class);
        if (e.index() != firstIndex + out.size()) {
          throw new IllegalStateException(
              file
                  + " line "
                  + lineNo
                  + ": index "
                  + e.index()
                  + ", expected "
                  + (firstIndex + out.size()));
        }
        out.add(e);
      } catch (JsonProcessingException ex) {
        throw new IllegalStateException(
            file + " line " + lineNo + " is not an effect: " + ex.getOriginalMessage(), ex);
      }
    }
    return out;
  }
}
