// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.haproxy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A unix-socket relay between a router and HAProxy's admin socket, for fault injection without
 * touching the router: {@link #dropNextChange()} makes the next connection that carries a change
 * (anything but {@code show ...}) close before HAProxy receives it, as when HAProxy is restarting
 * or its socket is recreated. Every other connection is relayed byte for byte.
 */
final class RuntimeApiProxy implements AutoCloseable {
  private final Path socket;
  private final Path haproxy;
  private final ServerSocketChannel server;
  private final AtomicBoolean dropNextChange = new AtomicBoolean();
  private final AtomicInteger dropped = new AtomicInteger();
  private final Thread acceptor;

  private RuntimeApiProxy(Path socket, Path haproxy) throws IOException {
    this.socket = socket;
    this.haproxy = haproxy;
    Files.deleteIfExists(socket);
    this.server =
        ServerSocketChannel.open(StandardProtocolFamily.UNIX)
            .bind(UnixDomainSocketAddress.of(socket));
    this.acceptor = new Thread(this::acceptLoop, "runtime-api-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A relay listening at {@code socket} in front of HAProxy's socket {@code haproxy}. */
  static RuntimeApiProxy start(Path socket, Path haproxy) throws IOException {
    return new RuntimeApiProxy(socket, haproxy);
  }

  /** The socket routers connect to. */
  Path socket() {
    return socket;
  }

  /** Closes the next connection that carries a change before HAProxy sees it. */
  void dropNextChange() {
    dropNextChange.set(true);
  }

  /** How many connections were dropped. */
  int dropped() {
    return dropped.get();
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      try {
        SocketChannel client = server.accept();
        Thread t = new Thread(() -> relay(client), "runtime-api-relay");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        // Closed by close().
      }
    }
  }

  /**
   * Relays one client connection, line by line towards HAProxy and byte for byte back, so that a
   * kept (interactive) connection works through the relay as well as one per call.
   */
  private void relay(SocketChannel client) {
    try (client;
        SocketChannel upstream = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      upstream.connect(UnixDomainSocketAddress.of(haproxy));
      Thread back =
          new Thread(
              () -> {
                ByteBuffer in = ByteBuffer.allocate(16 * 1024);
                try {
                  while (upstream.read(in) >= 0) {
                    in.flip();
                    while (in.hasRemaining()) {
                      client.write(in);
                    }
                    in.clear();
                  }
                  client.close();
                } catch (IOException e) {
                  // One side closed: the other is closed by the relay.
                }
              },
              "runtime-api-relay-back");
      back.setDaemon(true);
      back.start();
      ByteBuffer pending = ByteBuffer.allocate(64 * 1024);
      String line;
      while ((line = readLine(client, pending)) != null) {
        boolean change =
            java.util.Arrays.stream(line.split(";"))
                .map(String::trim)
                .anyMatch(c -> !c.isEmpty() && !c.startsWith("show ") && !c.equals("prompt"));
        if (change && dropNextChange.compareAndSet(true, false)) {
          dropped.incrementAndGet();
          return;
        }
        ByteBuffer out = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
          upstream.write(out);
        }
      }
      back.join();
    } catch (IOException e) {
      // Closed by close(), or one client gone: the router sees its own error.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The next line with its line break, or null at the end of the stream. */
  private static @Nullable String readLine(SocketChannel client, ByteBuffer pending)
      throws IOException {
    while (true) {
      for (int i = 0; i < pending.position(); i++) {
        if (pending.get(i) == '\n') {
          byte[] line = new byte[i + 1];
          pending.flip();
          pending.get(line);
          pending.compact();
          return new String(line, StandardCharsets.UTF_8);
        }
      }
      if (client.read(pending) < 0) {
        return null;
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    Files.deleteIfExists(socket);
  }
}
