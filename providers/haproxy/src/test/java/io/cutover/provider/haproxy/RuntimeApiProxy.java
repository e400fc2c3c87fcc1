// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.haproxy;

import java.io.ByteArrayOutputStream;
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
      try (SocketChannel client = server.accept()) {
        relay(client);
      } catch (IOException e) {
        // Closed by close(), or one client gone: the router sees its own error.
      }
    }
  }

  private void relay(SocketChannel client) throws IOException {
    String line = readLine(client);
    boolean change =
        line.lines()
            .flatMap(l -> java.util.Arrays.stream(l.split(";")))
            .anyMatch(c -> !c.isBlank() && !c.trim().startsWith("show "));
    if (change && dropNextChange.compareAndSet(true, false)) {
      dropped.incrementAndGet();
      return;
    }
    try (SocketChannel upstream = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      upstream.connect(UnixDomainSocketAddress.of(haproxy));
      ByteBuffer out = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
      while (out.hasRemaining()) {
        upstream.write(out);
      }
      ByteBuffer in = ByteBuffer.allocate(16 * 1024);
      while (upstream.read(in) >= 0) {
        in.flip();
        while (in.hasRemaining()) {
          client.write(in);
        }
        in.clear();
      }
    }
  }

  private static String readLine(SocketChannel client) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    ByteBuffer one = ByteBuffer.allocate(4096);
    while (client.read(one) >= 0) {
      one.flip();
      while (one.hasRemaining()) {
        byte b = one.get();
        line.write(b);
        if (b == '\n') {
          return line.toString(StandardCharsets.UTF_8);
        }
      }
      one.clear();
    }
    return line.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    server.close();
    Files.deleteIfExists(socket);
  }
}
