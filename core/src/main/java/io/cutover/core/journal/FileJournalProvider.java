// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal;

import io.cutover.api.InvalidSpecException;
import io.cutover.spi.Journal;
import io.cutover.spi.JournalProvider;
import io.cutover.spi.ProviderConfig;
import io.cutover.spi.ProviderContext;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code file} journal provider: a {@link FileJournal} in a directory.
 *
 * <pre>
 * journal:
 *   provider: file
 *   directory: /var/lib/cutover/journal   # required; created if missing
 *   durability: fsync                     # fsync (default) or os_buffered
 * </pre>
 *
 * Any other key is refused (it is almost always a typo). Registered for {@link
 * java.util.ServiceLoader}; stateless and thread-safe.
 */
public final class FileJournalProvider implements JournalProvider {
  private static final Set<String> KEYS = Set.of("directory", "durability");

  /** For {@link java.util.ServiceLoader}. */
  public FileJournalProvider() {}

  @Override
  public String name() {
    return "file";
  }

  /**
   * Opens the configured journal.
   *
   * @throws InvalidSpecException for a missing or malformed {@code directory}, an unknown {@code
   *     durability}, or an unknown key
   * @throws JournalLockedException if the directory is in use
   * @throws JournalCorruptedException if the directory's files do not verify
   */
  @Override
  public Journal create(ProviderConfig config, ProviderContext context) {
    config.requireOnly(KEYS);
    String dir = config.requireString("directory");
    Path path;
    try {
      path = Path.of(dir);
    } catch (InvalidPathException e) {
      throw new InvalidSpecException(
          config.pathOf("directory"),
          "'" + dir + "' is not a valid path: " + e.getReason(),
          "give the journal directory as an absolute path");
    }
    String d =
        config.getString("durability", "fsync").trim().toUpperCase(Locale.ROOT).replace('-', '_');
    DurabilityMode mode;
    try {
      mode = DurabilityMode.valueOf(d);
    } catch (IllegalArgumentException e) {
      throw new InvalidSpecException(
          config.pathOf("durability"),
          "'" + config.getString("durability") + "' is not a durability mode",
          "use fsync (survives power loss) or os_buffered (tests only)");
    }
    return FileJournal.builder(path).durability(mode).open();
  }
}
