// SPDX-License-Identifier: Apache-2.0
package io.cutover.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ResilienceScopeTest {
  @Test
  @DisplayName(
      "scopes parse from the names configuration uses; anything else names the path and the choices")
  void parse() {
    assertThat(ResilienceScope.parse("router")).isEqualTo(ResilienceScope.ROUTER);
    assertThat(ResilienceScope.parse("default")).isEqualTo(ResilienceScope.DEFAULT);
    assertThatThrownBy(() -> ResilienceScope.parse("routers"))
        .isInstanceOfSatisfying(
            InvalidSpecException.class, e -> assertThat(e.path()).isEqualTo("resilience.routers"))
        .hasMessageContaining("use fleet, router, gates or default");
  }

  @Test
  @DisplayName("a scope's policy is set once, whether by enum or by the deprecated name")
  @SuppressWarnings("deprecation")
  void setOnce() {
    Cutover.Builder b =
        Cutover.builder().resilience(ResilienceScope.ROUTER, ResiliencePolicy.NO_RETRY);
    assertThatThrownBy(() -> b.resilience("router", ResiliencePolicy.DEFAULT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("resilience for router was already set");
    assertThatThrownBy(() -> b.resilience("gate", ResiliencePolicy.DEFAULT))
        .isInstanceOf(InvalidSpecException.class);
  }
}
