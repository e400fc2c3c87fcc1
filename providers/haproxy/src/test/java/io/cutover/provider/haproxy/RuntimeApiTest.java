// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RuntimeApi} against peers that misbehave, which a real HAProxy cannot be made to do: a
 * fake unix socket server here (the real HAProxy is exercised by {@link HaproxyRouterTest}).
 */
@Timeout(30)
class RuntimeApiTest {
  @TempDir Path dir;
  final List<SocketChannel> open = new ArrayList<>();
  ServerSocketChannel server;

  Path serve(Consumer<SocketChannel> peer) throws IOException {
    Path sock = dir.resolve("h.sock");
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(sock));
    Thread t =
        new Thread(
            () -> {
              try {
                SocketChannel ch = server.accept();
                synchronized (open) {
                  open.add(ch);
                }
                peer.accept(ch);
              } catch (IOException e) {
                // closed at the end
              }
            },
            "fake-haproxy");
    t.setDaemon(true);
    t.start();
    return sock;
  }

  @AfterEach
  void close() throws IOException {
    synchronized (open) {
      for (SocketChannel ch : open) {
        ch.close();
      }
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  @DisplayName("an answer read until the peer closes")
  void answer() throws IOException {
    Path sock =
        serve(
            ch -> {
              try {
                ch.read(ByteBuffer.allocate(1024));
                ch.write(ByteBuffer.wrap("New server registered.\n\n".getBytes(UTF8)));
                ch.close();
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(new RuntimeApi(sock).execute("show info")).isEqualTo("New server registered.\n\n");
  }

  @Test
  @DisplayName("a peer that reads the command and never answers nor closes: a retryable error")
  void silentPeer() throws IOException {
    Path sock =
        serve(
            ch -> {
              try {
                ch.read(ByteBuffer.allocate(1024));
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    RuntimeApi api = new RuntimeApi(sock, Duration.ofMillis(300));
    assertThatThrownBy(() -> api.execute("show servers state be_app"))
        .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.retryable()).isTrue())
        .hasMessageContaining("did not answer within 300 ms")
        .hasMessageContaining(sock.toString());
  }

  @Test
  @DisplayName("a peer that never reads a long command: a retryable error, not a stuck write")
  void peerThatNeverReads() throws IOException {
    Path sock = serve(ch -> {});
    RuntimeApi api = new RuntimeApi(sock, Duration.ofMillis(300));
    // Larger than any socket buffer, and no separator or newline: one command.
    String line = "show info " + "x".repeat(8 * 1024 * 1024);
    assertThatThrownBy(() -> api.execute(line))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("did not accept the command within 300 ms");
  }

  @Test
  @DisplayName("an endless answer stops at 16 MiB with a retryable error")
  void endlessAnswer() throws IOException {
    Path sock =
        serve(
            ch -> {
              ByteBuffer chunk = ByteBuffer.wrap(new byte[64 * 1024]);
              try {
                ch.read(ByteBuffer.allocate(1024));
                while (true) {
                  chunk.clear();
                  ch.write(chunk);
                }
              } catch (IOException e) {
                // the client gave up: expected
              }
            });
    assertThatThrownBy(() -> new RuntimeApi(sock).execute("show info"))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("larger than " + RuntimeApi.MAX_ANSWER_BYTES + " bytes");
  }

  @Test
  @DisplayName("a non-positive idle timeout is refused naming the setting")
  void badTimeout() {
    assertThatThrownBy(() -> new RuntimeApi(dir.resolve("x"), Duration.ZERO))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("idleTimeout");
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;
}
