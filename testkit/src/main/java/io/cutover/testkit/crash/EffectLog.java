// SPDX-License-Identifier: Apache-2.0
package io.cutover.testkit.crash;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.api.ProviderException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
 * <p><b>Threading.</b> {@link #append} is synchronized; one process at a time may hold the file
 * open for appending (not enforced: the crash campaign runs one child at a time).
 *
 * <p><b>Errors.</b> {@link UncheckedIOException} when the file cannot be read or created; a failed
 * append throws a non-retryable {@link ProviderException} (the effect did not happen).
 */
public final class EffectLog implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final FileChannel channel;
  private final List<Effect> effects;

  private EffectLog(Path file, FileChannel channel, List<Effect> effects) {
    this.file = file;
    this.channel = channel;
    this.effects = effects;
  }

  /** Opens (creating if needed) a log for appending, after cutting off a torn last line. */
  public static EffectLog open(Path file) {
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
      return new EffectLog(file, ch, parse(file, bytes, complete));
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
   * Appends an effect (its index must be {@link #nextIndex()}) and forces it to disk.
   *
   * @throws ProviderException if it cannot be written; the effect then did not happen
   */
  public synchronized void append(Effect effect) {
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
        if (e.index() != out.size()) {
          throw new IllegalStateException(
              file + " line " + lineNo + ": index " + e.index() + ", expected " + out.size());
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
