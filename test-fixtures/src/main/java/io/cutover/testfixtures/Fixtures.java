// SPDX-License-Identifier: Apache-2.0
package io.cutover.testfixtures;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Assertions;

/** Small helpers the integration tests of the routers and the benchmarks share. */
public final class Fixtures {
  private Fixtures() {}

  /** A free TCP port on 127.0.0.1. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Closes each non-null resource in order, so a failed start still releases what did start. */
  public static void closeAll(AutoCloseable... resources) {
    for (AutoCloseable r : resources) {
      if (r != null) {
        try {
          r.close();
        } catch (Exception e) {
          System.err.println("close failed: " + e);
        }
      }
    }
  }

  /**
   * Sends {@code n} sequential GETs to {@code url}, asserting each answers 200, and counts the
   * answers per {@code X-Release}.
   */
  public static Map<String, Integer> countReleases(OkHttpClient client, String url, int n)
      throws IOException {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      try (Response r = client.newCall(new Request.Builder().url(url).build()).execute()) {
        Assertions.assertEquals(200, r.code(), "status of request " + i + " to " + url);
        counts.merge(r.header("X-Release"), 1, Integer::sum);
      }
    }
    return counts;
  }
}
