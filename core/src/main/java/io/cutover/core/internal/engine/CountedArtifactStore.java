// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.internal.engine;

import io.cutover.api.Artifact;
import io.cutover.api.ArtifactRef;
import io.cutover.api.DigestMismatchException;
import io.cutover.api.TagRef;
import io.cutover.spi.ArtifactStore;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

/**
 * The artifact store as a verifier sees it during one verification (SLI M8): every read is counted
 * in {@code cutover.artifact.reads} by operation and outcome, a fetched stream once it ends (read
 * to its end, failed, or closed early, which counts as {@code ok}: the store refused nothing). Pins
 * and unpins are not reads and pass through uncounted.
 */
public final class CountedArtifactStore implements ArtifactStore {
  private final ArtifactStore store;
  private final EngineTelemetry telemetry;
  private final String service;

  public CountedArtifactStore(ArtifactStore store, EngineTelemetry telemetry, String service) {
    this.store = store;
    this.telemetry = telemetry;
    this.service = service;
  }

  /** The outcome attribute of a failed store call. */
  static String outcome(Throwable t) {
    // A stream may wrap the store's exception in an IOException.
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof DigestMismatchException) {
        return "digest_mismatch";
      }
      if (c instanceof NoSuchElementException) {
        return "not_found";
      }
    }
    return "error";
  }

  private <T> T counted(String operation, Supplier<T> call) {
    T result;
    try {
      result = call.get();
    } catch (RuntimeException e) {
      telemetry.artifactRead(service, operation, outcome(e));
      throw e;
    }
    telemetry.artifactRead(service, operation, "ok");
    return result;
  }

  @Override
  public ArtifactRef resolve(TagRef tag) {
    return counted("resolve", () -> store.resolve(tag));
  }

  @Override
  public Artifact describe(ArtifactRef ref) {
    return counted("describe", () -> store.describe(ref));
  }

  @Override
  public InputStream fetch(ArtifactRef ref) {
    InputStream in;
    try {
      in = store.fetch(ref);
    } catch (RuntimeException e) {
      telemetry.artifactRead(service, "fetch", outcome(e));
      throw e;
    }
    return new CountedStream(in);
  }

  @Override
  public Artifact verify(ArtifactRef ref) {
    return counted("verify", () -> store.verify(ref));
  }

  @Override
  public List<ArtifactRef> list(String repository) {
    return counted("list", () -> store.list(repository));
  }

  @Override
  public void pin(ArtifactRef ref, String reason) {
    store.pin(ref, reason);
  }

  @Override
  public void unpin(ArtifactRef ref, String reason) {
    store.unpin(ref, reason);
  }

  /** Counts the fetch once: at its first failure, at its end, or when closed. */
  private final class CountedStream extends FilterInputStream {
    private boolean counted;

    CountedStream(InputStream in) {
      super(in);
    }

    private void count(String outcome) {
      if (!counted) {
        counted = true;
        telemetry.artifactRead(service, "fetch", outcome);
      }
    }

    private int observe(IoCall call) throws IOException {
      try {
        int n = call.run();
        if (n < 0) {
          count("ok");
        }
        return n;
      } catch (IOException | RuntimeException e) {
        count(outcome(e));
        throw e;
      }
    }

    @Override
    public int read() throws IOException {
      return observe(super::read);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return observe(() -> super.read(b, off, len));
    }

    @Override
    public void close() throws IOException {
      try {
        super.close();
      } catch (IOException | RuntimeException e) {
        count(outcome(e));
        throw e;
      }
      count("ok");
    }
  }

  @FunctionalInterface
  private interface IoCall {
    int run() throws IOException;
  }
}
