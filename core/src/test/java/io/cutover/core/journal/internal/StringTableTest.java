// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("StringTable")
class StringTableTest {
  private final StringTable table = new StringTable();

  /** Looks {@code s} up from the middle of a larger array, as recovery does from a read window. */
  private String get(String s) {
    byte[] u = s.getBytes(StandardCharsets.UTF_8);
    byte[] window = new byte[u.length + 7];
    System.arraycopy(u, 0, window, 3, u.length);
    return table.get(window, 3, u.length);
  }

  @Test
  @DisplayName("an equal short ASCII string decoded twice is the same instance")
  void shares() {
    String a = get("svc-42-r42");
    String b = get("svc-42-r42");
    assertThat(b).isEqualTo("svc-42-r42").isSameAs(a);
    assertThat(get("")).isEmpty();
  }

  @Test
  @DisplayName("strings with equal hashes stay distinct")
  void collisions() {
    assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
    String aa = get("Aa");
    String bb = get("BB");
    assertThat(aa).isEqualTo("Aa");
    assertThat(bb).isEqualTo("BB");
    assertThat(get("Aa")).isSameAs(aa);
    assertThat(get("BB")).isSameAs(bb);
  }

  @Test
  @DisplayName("non-ASCII and long strings are decoded as UTF-8, not shared")
  void notShared() {
    String accented = "déploiement-é";
    assertThat(get(accented)).isEqualTo(accented).isNotSameAs(get(accented));
    String longOne = "x".repeat(StringTable.MAX_LENGTH + 1);
    assertThat(get(longOne)).isEqualTo(longOne).isNotSameAs(get(longOne));
    String limit = "y".repeat(StringTable.MAX_LENGTH);
    assertThat(get(limit)).isEqualTo(limit).isSameAs(get(limit));
  }

  @Test
  @DisplayName("keeps every string through growth, and past its size limit still decodes correctly")
  void growth() {
    List<String> first = new ArrayList<>();
    for (int i = 0; i < StringTable.MAX_ENTRIES + 1000; i++) {
      first.add(get("rollout-" + i));
    }
    for (int i = 0; i < first.size(); i++) {
      String again = get("rollout-" + i);
      assertThat(again).isEqualTo("rollout-" + i);
      if (i < StringTable.MAX_ENTRIES) {
        assertThat(again).isSameAs(first.get(i));
      }
    }
  }
}
