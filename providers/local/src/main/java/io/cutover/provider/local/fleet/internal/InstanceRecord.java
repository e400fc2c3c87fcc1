// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.local.fleet.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cutover.provider.local.store.internal.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * What the fleet writes to {@code instances/<id>/instance.json} so that a later engine process can
 * adopt a running instance: identity, release, port, pid and the process start time (which tells a
 * reused pid from ours). Never holds configuration values or secrets.
 *
 * @param id the instance id
 * @param service the service
 * @param releaseId the release id
 * @param artifact the artifact reference, {@code repo@sha256:...}
 * @param config the configuration digest of the release
 * @param kind {@code JAR} or {@code COMMAND}
 * @param readyPath the readiness path
 * @param port the TCP port on 127.0.0.1
 * @param pid the process id, or -1 before the process exists
 * @param processStart the process start time as the OS reports it, or null
 * @param state the last recorded state
 * @param restarts how many times the slot was restarted after a crash
 * @param operation the operation id that launched it
 * @param content the content that runs, {@code repo@sha256:...}: the launch manifest's layer (null
 *     in records of earlier versions, where it is the artifact itself)
 */
public record InstanceRecord(
    String id,
    String service,
    String releaseId,
    String artifact,
    String config,
    String kind,
    String readyPath,
    int port,
    long pid,
    @Nullable String processStart,
    String state,
    int restarts,
    String operation,
    @Nullable String content) {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** A copy with a new state. */
  public InstanceRecord withState(String newState) {
    return new InstanceRecord(
        id,
        service,
        releaseId,
        artifact,
        config,
        kind,
        readyPath,
        port,
        pid,
        processStart,
        newState,
        restarts,
        operation,
        content);
  }

  /** A copy for a new process in the same slot. */
  public InstanceRecord withProcess(
      long newPid, @Nullable String start, String newState, int newRestarts) {
    return new InstanceRecord(
        id,
        service,
        releaseId,
        artifact,
        config,
        kind,
        readyPath,
        port,
        newPid,
        start,
        newState,
        newRestarts,
        operation,
        content);
  }

  /**
   * Writes the record atomically: a temp file with a unique name and mode 0600 (so concurrent
   * writers never share one, and a planted file or link of a fixed name is never written through),
   * forced to disk, then renamed over the record, then the directory forced.
   */
  public void write(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (dir == null) {
      throw new IOException("an instance record needs a directory: " + file);
    }
    AtomicFiles.write(file, JSON.writeValueAsBytes(this), dir);
  }

  /** Reads a record. */
  public static InstanceRecord read(Path file) throws IOException {
    return JSON.readValue(file.toFile(), InstanceRecord.class);
  }
}
