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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A client of HAProxy's runtime API over its unix stats socket ({@code stats socket <path> level
 * admin}). A call sends one line (several commands joined with {@code ;} run as one batch, in
 * order, with nothing interleaved) and returns HAProxy's answer.
 *
 * <p><b>Connections.</b> By default each call opens a connection and reads the answer until HAProxy
 * closes it (about 0.3 ms a call on a local socket). With {@code keepAlive} the client keeps one
 * connection open in HAProxy's interactive mode ({@code prompt}), so a call costs one write and one
 * read and HAProxy accepts no new session; the connection is reopened when HAProxy has closed it
 * (its {@code stats timeout}, 10 s by default, or a restart).
 *
 * <p><b>Reloads.</b> An open connection stays with the HAProxy process that accepted it: after a
 * reload (also a master-worker reload with {@code expose-fd listeners}, where the socket file stays
 * the same) it reaches the old, stopping process. So every batch sent on a reused connection ends
 * with {@code show info}, and if that says {@code Stopping: 1} (or does not say {@code Stopping:
 * 0}, as a HAProxy older than 2.x does not) the connection is dropped and the batch is sent again
 * on a new connection, which reaches the current process; only that answer is returned. The
 * stopping process has then run the batch too, which only affects the connections it still
 * finishes. A HAProxy that does not report {@code Stopping:} gets one connection per call from then
 * on.
 *
 * <p><b>What is sent on a kept connection.</b> Lines whose commands all start with {@code set},
 * {@code add}, {@code del}, {@code show}, {@code get}, {@code enable}, {@code disable} or {@code
 * clear}, without {@code \} (HAProxy's escape) or empty commands; anything else (e.g. {@code
 * prompt}, {@code quit}, {@code user}, which would change the session) gets a connection of its
 * own. A batch is never sent twice on the same process: a kept connection that turns out closed
 * before the write is replaced, but one that closes after the write is a retryable failure, as with
 * a connection per call.
 *
 * <p><b>Threading.</b> Thread-safe. The kept connection serves one call at a time; a call that
 * finds it busy uses a connection of its own rather than wait. {@link #close()} closes the kept
 * connection; calls after it use a connection each.
 *
 * <p><b>Errors.</b> A socket that cannot be reached is a retryable {@link ProviderException} with
 * provider {@code haproxy}. So is a peer that goes silent for longer than the idle timeout (default
 * {@link #DEFAULT_IDLE_TIMEOUT}) while Cutover writes or reads, one whose answer is larger than
 * {@link #MAX_ANSWER_BYTES}, and (kept connection) one whose interactive answer cannot be framed:
 * whatever listens on the socket, a call never hangs the thread that drives the router and never
 * buffers without bound.
 */
public final class RuntimeApi implements AutoCloseable {
  /** How long a call waits for the peer to accept or send more bytes: 10 seconds. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The largest answer read: 16 MiB. {@code show servers state} of a backend with 10,000 servers is
   * about 1.5 MiB.
   */
  public static final int MAX_ANSWER_BYTES = 16 * 1024 * 1024;

  // Commands whose answers end with an empty line and that leave the session as it is (not
  // prompt, quit, user, operator, nor payload commands such as 'add map ... <<').
  private static final Set<String> KEEPABLE =
      Set.of("set", "add", "del", "show", "get", "enable", "disable", "clear");
  private static final String PROBE = "show info";

  private final Path socket;
  private final long idleMillis;
  private final ReentrantLock sessionLock = new ReentrantLock();
  private volatile boolean keepAlive;
  private volatile boolean closed;
  // Guarded by sessionLock.
  private @Nullable Session session;

  /** A client of the socket at {@code socket}, with the default idle timeout. */
  public RuntimeApi(Path socket) {
    this(socket, DEFAULT_IDLE_TIMEOUT);
  }

  /**
   * A client of the socket at {@code socket} that gives up when the peer is silent for {@code
   * idleTimeout}, with a connection per call.
   *
   * @throws InvalidSpecException if {@code idleTimeout} is not positive
   */
  public RuntimeApi(Path socket, Duration idleTimeout) {
    this(socket, idleTimeout, false);
  }

  /**
   * A client of the socket at {@code socket} that gives up when the peer is silent for {@code
   * idleTimeout}, and keeps one connection open between calls if {@code keepAlive}.
   *
   * @throws InvalidSpecException if {@code idleTimeout} is not positive
   */
  public RuntimeApi(Path socket, Duration idleTimeout, boolean keepAlive) {
    this.socket = Objects.requireNonNull(socket, "socket");
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new InvalidSpecException(
          "idleTimeout", "is " + idleTimeout, "use a positive duration, e.g. 10s");
    }
    this.idleMillis = Math.max(1, idleTimeout.toMillis());
    this.keepAlive = keepAlive;
  }

  /** The socket path. */
  public Path socket() {
    return socket;
  }

  /** Whether calls may use a kept connection (false after HAProxy turned out not to report it). */
  public boolean keepsConnection() {
    return keepAlive && !closed;
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
   * answer, the same whether or not the connection is kept.
   *
   * @throws InvalidSpecException before anything is sent, if the line holds a newline, a carriage
   *     return or NUL
   */
  public String execute(String line) {
    RuntimeNames.commandLine(line, true);
    int commands = keepable(line);
    if (commands == 0 || !keepAlive || closed || !sessionLock.tryLock()) {
      return oneShot(line);
    }
    try {
      if (closed) {
        return oneShot(line);
      }
      return onSession(line, commands);
    } finally {
      sessionLock.unlock();
    }
  }

  /** Closes the kept connection, if any; later calls use a connection each. */
  @Override
  public void close() {
    closed = true;
    sessionLock.lock();
    try {
      dropSession();
    } finally {
      sessionLock.unlock();
    }
  }

  // ---------------------------------------------------------------- kept connection

  /** The number of commands in the line if it may go over a kept connection, else 0. */
  private static int keepable(String line) {
    if (line.indexOf('\\') >= 0) {
      return 0;
    }
    int count = 0;
    for (String command : line.split(";", -1)) {
      String c = command.strip();
      int space = c.indexOf(' ');
      if (!KEEPABLE.contains(space < 0 ? c : c.substring(0, space))) {
        return 0;
      }
      count++;
    }
    return count;
  }

  private String onSession(String line, int commands) {
    Session s = session;
    if (s != null && s.alive()) {
      List<String> answers;
      try {
        answers = s.exchange(line + ";" + PROBE + "\n", commands + 1, false);
      } catch (Unwritten e) {
        // Closed by HAProxy before it read anything: nothing ran, a new connection may send it.
        dropSession();
        return fresh(line, commands);
      } catch (RuntimeException e) {
        dropSession();
        throw e;
      }
      String info = answers.get(answers.size() - 1);
      if (info.contains("\nStopping: 0\n")) {
        return String.join("", answers.subList(0, commands));
      }
      // A stopping (reloaded) process, or one that cannot say: the batch goes to the process that
      // accepts connections now.
      dropSession();
      if (!info.contains("\nStopping: ")) {
        keepAlive = false;
        return oneShot(line);
      }
      return fresh(line, commands);
    }
    dropSession();
    return fresh(line, commands);
  }

  /** Opens a kept connection and runs the line on it, in one write: {@code prompt} and the line. */
  private String fresh(String line, int commands) {
    Session s = Session.open(this);
    session = s;
    try {
      List<String> answers = s.exchange("prompt\n" + line + "\n", commands + 1, true);
      return String.join("", answers.subList(1, answers.size()));
    } catch (RuntimeException e) {
      dropSession();
      throw e;
    }
  }

  private void dropSession() {
    Session s = session;
    session = null;
    if (s != null) {
      s.close();
    }
  }

  /** The kept connection was closed before the line was written: nothing reached HAProxy. */
  private static final class Unwritten extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unwritten(Throwable cause) {
      super(null, cause, false, false);
    }
  }

  /** One connection in interactive mode. Used under {@link #sessionLock} only. */
  private static final class Session {
    private final RuntimeApi api;
    private final SocketChannel ch;
    private final Selector selector;
    private final SelectionKey key;
    private final ByteBuffer in = ByteBuffer.allocate(16 * 1024);

    private Session(RuntimeApi api, SocketChannel ch, Selector selector, SelectionKey key) {
      this.api = api;
      this.ch = ch;
      this.selector = selector;
      this.key = key;
    }

    static Session open(RuntimeApi api) {
      SocketChannel ch = null;
      Selector selector = null;
      try {
        ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        selector = Selector.open();
        ch.connect(UnixDomainSocketAddress.of(api.socket));
        ch.configureBlocking(false);
        SelectionKey key = ch.register(selector, SelectionKey.OP_WRITE);
        return new Session(api, ch, selector, key);
      } catch (IOException e) {
        closeQuietly(ch, selector);
        throw api.unreachable(e);
      }
    }

    /** Whether HAProxy has neither closed the connection nor sent anything unasked. */
    boolean alive() {
      try {
        in.clear();
        return ch.read(in) == 0;
      } catch (IOException e) {
        return false;
      }
    }

    /**
     * Writes {@code text} and reads until {@code prompts} answers, each ended by HAProxy's prompt,
     * have arrived; returns the answers without the prompts (as HAProxy sends them without one).
     *
     * @throws Unwritten if nothing could be written on a connection that was not new
     */
    List<String> exchange(String text, int prompts, boolean isNew) {
      ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      try {
        key.interestOps(SelectionKey.OP_WRITE);
        boolean wroteAny = false;
        while (out.hasRemaining()) {
          int n;
          try {
            n = ch.write(out);
          } catch (IOException e) {
            if (!wroteAny && !isNew) {
              throw new Unwritten(e);
            }
            throw e;
          }
          wroteAny |= n > 0;
          if (n == 0) {
            api.await(selector, "accept the command");
          }
        }
        key.interestOps(SelectionKey.OP_READ);
        Answers answers = new Answers(prompts);
        while (!answers.complete()) {
          in.clear();
          int n = ch.read(in);
          if (n < 0) {
            throw ProviderException.retryable(
                HaproxyRouter.PROVIDER,
                "runtime-api",
                "HAProxy at "
                    + api.socket
                    + " closed the connection before answering (restarting, or its 'stats"
                    + " timeout' expired)");
          }
          if (n == 0) {
            api.await(selector, "answer");
            continue;
          }
          answers.add(in.array(), n, api.socket);
        }
        return answers.parts();
      } catch (IOException e) {
        throw api.unreachable(e);
      }
    }

    void close() {
      closeQuietly(ch, selector);
    }

    private static void closeQuietly(@Nullable SocketChannel ch, @Nullable Selector selector) {
      try {
        if (selector != null) {
          selector.close();
        }
      } catch (IOException ignored) {
        // Nothing to do: the channel is closed next.
      }
      try {
        if (ch != null) {
          ch.close();
        }
      } catch (IOException ignored) {
        // Already gone.
      }
    }
  }

  /**
   * Splits an interactive answer at HAProxy's prompts: every command's answer ends with a line
   * break (most with an empty line, {@code del server} without), and the prompt {@code "> "}
   * follows it. No answer of the commands sent on a kept connection has a line starting with {@code
   * "> "}; if one ever did, the count would run ahead and the surplus bytes fail the call (and drop
   * the connection) rather than be read as the next answer.
   */
  private static final class Answers {
    private final int expected;
    private final List<String> parts = new ArrayList<>();
    private byte[] buf = new byte[4096];
    private int size;
    private int segmentStart;
    private int scanned;

    Answers(int expected) {
      this.expected = expected;
    }

    void add(byte[] bytes, int n, Path socket) {
      if (size + n > MAX_ANSWER_BYTES) {
        throw ProviderException.retryable(
            HaproxyRouter.PROVIDER,
            "runtime-api",
            "the answer of " + socket + " is larger than " + MAX_ANSWER_BYTES + " bytes");
      }
      if (size + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
      }
      System.arraycopy(bytes, 0, buf, size, n);
      size += n;
      for (int i = scanned; i + 2 < size && parts.size() < expected; i++) {
        if (buf[i] == '\n' && buf[i + 1] == '>' && buf[i + 2] == ' ') {
          parts.add(new String(buf, segmentStart, i + 1 - segmentStart, StandardCharsets.UTF_8));
          segmentStart = i + 3;
          i += 2;
        }
        scanned = i + 1;
      }
      if (parts.size() == expected && segmentStart < size) {
        throw ProviderException.retryable(
            HaproxyRouter.PROVIDER,
            "runtime-api",
            "HAProxy at "
                + socket
                + " sent more than the answers of "
                + expected
                + " commands; the connection is dropped");
      }
    }

    boolean complete() {
      return parts.size() == expected && segmentStart == size;
    }

    List<String> parts() {
      return parts;
    }
  }

  // ---------------------------------------------------------------- one connection per call

  private String oneShot(String line) {
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
      throw unreachable(e);
    }
  }

  private ProviderException unreachable(IOException e) {
    return ProviderException.retryable(
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
