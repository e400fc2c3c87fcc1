// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet.internal;

import io.cutover.provider.local.fleet.FleetDirectoryLockedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exclusive ownership of a fleet work directory, as the file journal owns its directory: an OS file
 * lock on {@value #FILE} against other processes, and a registry of directories open in this JVM.
 *
 * <p>The registry is checked before the lock file is even opened: on POSIX systems closing
 * <em>any</em> descriptor of a file drops every lock the process holds on it, so a second fleet
 * that merely opened and closed the lock file would silently unlock the first.
 */
public final class WorkDirectoryLock implements AutoCloseable {
  /** Name of the lock file inside the work directory. */
  public static final String FILE = "fleet.lock";

  private static final Set<Path> OPEN_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

  private final Path directory;
  private final FileChannel channel;
  private final FileLock lock;

  private WorkDirectoryLock(Path directory, FileChannel channel, FileLock lock) {
    this.directory = directory;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Locks {@code directory}, which must exist and be given as a real path.
   *
   * @throws FleetDirectoryLockedException if another process or fleet of this JVM holds it
   */
  public static WorkDirectoryLock acquire(Path directory) throws IOException {
    if (!OPEN_IN_THIS_JVM.add(directory)) {
      throw new FleetDirectoryLockedException(directory, "another LocalProcessFleet in this JVM");
    }
    FileChannel ch = null;
    try {
      ch =
          FileChannel.open(
              directory.resolve(FILE),
              Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
              PrivateFiles.file(directory));
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new FleetDirectoryLockedException(directory, holder(ch));
      }
      String me = "pid " + ProcessHandle.current().pid() + "\n";
      ch.truncate(0);
      ch.write(ByteBuffer.wrap(me.getBytes(StandardCharsets.UTF_8)), 0);
      return new WorkDirectoryLock(directory, ch, lock);
    } catch (IOException | RuntimeException e) {
      if (ch != null) {
        ch.close();
      }
      OPEN_IN_THIS_JVM.remove(directory);
      throw e;
    }
  }

  private static String holder(FileChannel ch) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(64);
    ch.read(b, 0);
    String s = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).trim();
    return s.isEmpty() ? "another process" : s;
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
      channel.close();
    } finally {
      OPEN_IN_THIS_JVM.remove(directory);
    }
  }
}
