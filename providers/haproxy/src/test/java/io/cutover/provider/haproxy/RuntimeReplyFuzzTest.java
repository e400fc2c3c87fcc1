// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.haproxy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.Instance;
import io.cutover.api.InstanceState;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.api.TrafficSplit;
import io.cutover.spi.OperationId;
import io.cutover.testfixtures.fuzz.Fuzz;
import io.cutover.testfixtures.fuzz.Mutations;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes the HAProxy router's reading of runtime-API replies ({@code show servers state} and batch
 * answers): a fake admin socket answers every command with a mutated reply, and {@link
 * HaproxyRouter#current} and {@link HaproxyRouter#apply} return or fail with a {@link
 * ProviderException} or {@link InvalidSpecException}, whatever HAProxy says.
 */
class RuntimeReplyFuzzTest {
  private static final String HEADER =
      "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight"
          + " srv_iweight srv_time_since_last_change srv_check_status srv_check_result"
          + " srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id"
          + " srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr"
          + " srv_agent_addr srv_agent_port\n";
  private static final List<String> REPLIES =
      List.of(
          HEADER
              + "3 be_app 1 r1:0a1b2c3d4e 127.0.0.1 2 0 256 256 10 1 0 2 0 0 0 0 - 8081 - 0 0 - - 0\n"
              + "3 be_app 2 r2:none 127.0.0.1 0 1 0 0 10 1 0 2 0 0 0 0 - 1 - 0 0 - - 0\n\n",
          "New server registered.\n\n\n"
              + HEADER
              + "3 be_app 1 r1:0a1b2c3d4e 127.0.0.1 2 0 128 128 10 1 0 2 0 0 0 0 - 8081 - 0 0 - - 0\n"
              + "3 be_app 5 static 10.0.0.1 2 0 1 1 10 1 0 2 0 0 0 0 - 80 - 0 0 - - 0\n\n",
          "Can't find backend.\n\n",
          "No such server.\n\n" + HEADER + "\n");

  // The fake socket below answers one command per connection and closes, as HAProxy does without
  // 'prompt': the routers here use a connection per call (keepAlive(false)). The kept interactive
  // connection is exercised against a real HAProxy by the router and contract tests.
  private static Path dir;
  private static ServerSocketChannel server;
  private static volatile String reply = "";
  private static final AtomicInteger served = new AtomicInteger();

  @BeforeContainer
  static void start() throws IOException {
    dir = Files.createTempDirectory("haproxy-fuzz");
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(dir.resolve("h.sock")));
    Thread t =
        new Thread(
            () -> {
              while (server.isOpen()) {
                try (SocketChannel ch = server.accept()) {
                  ByteBuffer in = ByteBuffer.allocate(64 * 1024);
                  // Read the command line whatever its length (a mutated reply can name a server
                  // longer than the buffer: a full buffer would make read() return 0 forever).
                  while (ch.read(in) >= 0
                      && (in.position() == 0 || in.get(in.position() - 1) != '\n')) {
                    if (!in.hasRemaining()) {
                      in.clear();
                    }
                  }
                  ch.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8)));
                  served.incrementAndGet();
                } catch (IOException | RuntimeException e) {
                  // closed at the end, or a client that gave up
                }
              }
            },
            "haproxy-fuzz-socket");
    t.setDaemon(true);
    t.start();
  }

  @AfterContainer
  static void stop() throws IOException {
    server.close();
    Files.deleteIfExists(dir.resolve("h.sock"));
    Files.deleteIfExists(dir);
  }

  @Provide
  Arbitrary<String> replies() {
    return Mutations.text(REPLIES);
  }

  @Example
  void aGarbledStateLineIsAProviderException() {
    // Found by this property: Integer.parseInt on the weight threw NumberFormatException.
    reply = REPLIES.get(0).replace(" 2 0 256 256 ", " 2 0 1%s%n%x 256 ");
    HaproxyRouter router = HaproxyRouter.builder(dir.resolve("h.sock")).keepAlive(false).build();
    try {
      assertThatThrownBy(() -> router.current("app"))
          .isInstanceOf(ProviderException.class)
          .hasMessageContaining("be_app")
          .hasMessageContaining("1%s%n%x");
    } finally {
      router.close();
    }
  }

  @Example
  void aServerNameWithASemicolonIsAProviderException() {
    // Found by this property at 10 000 inputs: the name went into 'set server be_app/r1:a;b state
    // maint' and RuntimeApi refused it with an IllegalArgumentException.
    reply = REPLIES.get(0).replace("r1:0a1b2c3d4e", "r1:0a1b;2c3d4e");
    HaproxyRouter router = HaproxyRouter.builder(dir.resolve("h.sock")).keepAlive(false).build();
    Instance i =
        new Instance("i-1", "r1", URI.create("http://127.0.0.1:8081"), InstanceState.READY, null);
    try {
      assertThatThrownBy(
              () ->
                  router.apply(
                      new OperationId("op-1"),
                      "app",
                      TrafficSplit.all("r1"),
                      Map.of("r1", List.of(i))))
          .isInstanceOf(ProviderException.class)
          .hasMessageContaining("r1:0a1b;2c3d4e");
    } finally {
      router.close();
    }
  }

  @Property
  void repliesAreReadOrRefused(@ForAll("replies") String mutated) {
    reply = mutated;
    HaproxyRouter router = HaproxyRouter.builder(dir.resolve("h.sock")).keepAlive(false).build();
    try {
      Fuzz.run(
          "haproxy_reply",
          mutated,
          () -> router.current("app"),
          ProviderException.class,
          InvalidSpecException.class);
      Instance i =
          new Instance("i-1", "r1", URI.create("http://127.0.0.1:8081"), InstanceState.READY, null);
      Fuzz.run(
          "haproxy_reply",
          mutated,
          () -> {
            router.apply(
                new OperationId("op-" + mutated.hashCode()),
                "app",
                TrafficSplit.all("r1"),
                Map.of("r1", List.of(i)));
            return null;
          },
          ProviderException.class,
          InvalidSpecException.class);
    } finally {
      router.close();
    }
  }
}
