// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal;

import io.cutover.api.CutoverException;
import java.nio.file.Path;

/**
 * A journal directory is already open, by another process or by another {@link FileJournal} in this
 * JVM. Two engines appending to one journal would interleave their hash chains and drive the same
 * rollouts twice, so the second one is refused before it reads or writes anything.
 */
public class JournalLockedException extends CutoverException {
  private static final long serialVersionUID = 1L;
  private final transient Path directory;
  private final String holder;

  /**
   * @param directory the journal directory
   * @param holder who holds it, as far as known (e.g. {@code pid 4711} or {@code this JVM})
   */
  public JournalLockedException(Path directory, String holder) {
    super(
        "journal directory "
            + directory
            + " is already in use (held by "
            + holder
            + "). Fix: close the"
            + " other engine or FileJournal first, or give this engine its own directory");
    this.directory = directory;
    this.holder = holder;
  }

  /** The journal directory. */
  public Path directory() {
    return directory;
  }

  /** Who holds the directory, as far as known. */
  public String holder() {
    return holder;
  }
}
