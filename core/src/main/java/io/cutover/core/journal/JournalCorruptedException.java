// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal;

import io.cutover.api.CutoverException;
import java.nio.file.Path;

/**
 * A journal file holds bytes that are not what the journal wrote: a record whose CRC32C does not
 * match, a broken SHA-256 hash chain (an entry edited, removed or reordered), a missing segment, a
 * sequence gap, or a damaged snapshot. The journal refuses to open (or a history query refuses to
 * answer) rather than skip records, because a rollout resumed from an incomplete log could repeat
 * or forget side effects.
 *
 * <p>A torn tail (the last record of the newest segment only partly written when the process or
 * machine stopped) is not corruption: it was never acknowledged, and {@link FileJournal} truncates
 * it on open.
 *
 * <p>{@link #file()} and {@link #offset()} point at the first bad byte range, so an operator can
 * inspect it (for example with {@code xxd -s OFFSET FILE | head}).
 */
public class JournalCorruptedException extends CutoverException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;
  private final long offset;
  private final String problem;

  /**
   * @param file the damaged file
   * @param offset byte offset of the first bad entry (or of the header, 0)
   * @param problem what is wrong there
   */
  public JournalCorruptedException(Path file, long offset, String problem) {
    super(
        "journal corrupted: "
            + file
            + " at offset "
            + offset
            + ": "
            + problem
            + ". Fix: stop every engine using this directory, keep a copy of it for analysis, then restore the"
            + " directory from a backup or move it aside and adopt the running releases into a new journal;"
            + " never edit journal files by hand");
    this.file = file;
    this.offset = offset;
    this.problem = problem;
  }

  /** The damaged file. */
  public Path file() {
    return file;
  }

  /** The byte offset of the first bad entry in {@link #file()}. */
  public long offset() {
    return offset;
  }

  /** What is wrong, without the file, offset and advice. */
  public String problem() {
    return problem;
  }
}
