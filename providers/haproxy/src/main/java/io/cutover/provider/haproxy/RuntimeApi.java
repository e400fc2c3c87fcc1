// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.haproxy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.provider.haproxy.internal.RuntimeNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A client of HAProxy's runtime API over its unix stats socket ({@code stats socket <path> level
 * admin}). Each {@link #execute} opens a connection, sends one line (several commands joined with
 * {@code ;} run as one batch, in order, with nothing interleaved), and reads the answer until
 * HAProxy closes it.
 *
 * <p>Thread-safe: calls use independent connections. About 0.3 ms a call on a local socket.
 *
 * <p><b>Errors.</b> A socket that cannot be reached is a retryable {@link ProviderException} with
 * provider {@code haproxy}. So is a peer that goes silent for longer than the idle timeout (default
 * {@link #DEFAULT_IDLE_TIMEOUT}) while Cutover writes or reads, and one whose answer is larger than
 * {@link #MAX_ANSWER_BYTES}: whatever listens on the socket, a call never hangs the thread that
 * drives the router and never buffers without bound.
 */
public final class RuntimeApi {
  /** How long a call waits for the peer to accept or send more bytes: 10 seconds. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The largest answer read: 16 MiB. {@code show servers state} of a backend with 10,000 servers is
   * about 1.5 MiB.
   */
  public static final int MAX_ANSWER_BYTES = 16 * 1024 * 1024;

  private final Path socket;
  private final long idleMillis;

  /** A client of the socket at {@code socket}, with the default idle timeout. */
  public RuntimeApi(Path socket) {
    this(socket, DEFAULT_IDLE_TIMEOUT);
  }

  /**
   * A client of the socket at {@code socket} that gives up when the peer is silent for {@code
   * idleTimeout}.
   *
   * @throws InvalidSpecException if {@code idleTimeout} is not positive
   */
  public RuntimeApi(Path socket, Duration idleTimeout) {
    this.socket = Objects.requireNonNull(socket, "socket");
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new InvalidSpecException(
          "idleTimeout", "is " + idleTimeout, "use a positive duration, e.g. 10s");
    }
    this.idleMillis = Math.max(1, idleTimeout.toMillis());
  }

  /** The socket path. */
  public Path socket() {
    return socket;
  }

  /**
   * Runs several commands as one batch (joined with {@code ;}) and returns HAProxy's whole answer.
   *
   * @throws InvalidSpecException before anything is sent, if a command holds {@code ;}, a newline,
   *     a carriage return or NUL (it would run a command of its own)
   */
  public String execute(List<String> commands) {
    for (String c : commands) {
      RuntimeNames.commandLine(c, false);
    }
    return execute(String.join(";", commands));
  }

  /**
   * Runs one command line (several commands may be joined with {@code ;}) and returns HAProxy's
   * answer.
   *
   * @throws InvalidSpecException before anything is sent, if the line holds a newline, a carriage
   *     return or NUL
   */
  public String execute(String line) {
    RuntimeNames.commandLine(line, true);
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector selector = Selector.open()) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      // Non-blocking with a selector: a blocking read has no timeout, and a peer that never
      // answers nor closes (a wedged HAProxy, something else on the path) would hang the caller.
      ch.configureBlocking(false);
      SelectionKey key = ch.register(selector, SelectionKey.OP_WRITE);
      ByteBuffer out = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
      while (out.hasRemaining()) {
        if (ch.write(out) == 0) {
          await(selector, "accept the command");
        }
      }
      key.interestOps(SelectionKey.OP_READ);
      ByteArrayOutputStream answer = new ByteArrayOutputStream(4096);
      ByteBuffer in = ByteBuffer.allocate(16 * 1024);
      int n;
      while ((n = ch.read(in)) >= 0) {
        if (n == 0) {
          await(selector, "answer");
          continue;
        }
        if (answer.size() + n > MAX_ANSWER_BYTES) {
          throw ProviderException.retryable(
              HaproxyRouter.PROVIDER,
              "runtime-api",
              "the answer of " + socket + " is larger than " + MAX_ANSWER_BYTES + " bytes");
        }
        in.flip();
        answer.write(in.array(), 0, in.limit());
        in.clear();
      }
      return answer.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw ProviderException.retryable(
          HaproxyRouter.PROVIDER,
          "runtime-api",
          "cannot talk to HAProxy at "
              + socket
              + ": "
              + e.getMessage()
              + " (is HAProxy running with 'stats socket "
              + socket
              + " level admin'?)",
          e);
    }
  }

  private void await(Selector selector, String what) throws IOException {
    selector.selectedKeys().clear();
    if (selector.select(idleMillis) == 0) {
      throw ProviderException.retryable(
          HaproxyRouter.PROVIDER,
          "runtime-api",
          "HAProxy at "
              + socket
              + " did not "
              + what
              + " within "
              + idleMillis
              + " ms (is it overloaded, or is something else listening on the socket?)");
    }
  }
}
