// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.http;

import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.matching.MatchResult;
import com.github.tomakehurst.wiremock.matching.ValueMatcher;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** What a webhook receiver checks, as WireMock request matchers. */
final class Receivers {
  private Receivers() {}

  /**
   * Matches requests whose {@link WebhookGate#SIGNATURE_HEADER} is the HMAC-SHA256 of the exact
   * body bytes under {@code secret}, compared in constant time as a receiver must.
   */
  static ValueMatcher<Request> signedWith(String secret) {
    return r -> {
      String header = r.getHeader(WebhookGate.SIGNATURE_HEADER);
      String expected = "sha256=" + WebhookGate.sign(secret, r.getBody());
      return MatchResult.of(
          header != null
              && MessageDigest.isEqual(
                  header.getBytes(StandardCharsets.UTF_8),
                  expected.getBytes(StandardCharsets.UTF_8)));
    };
  }
}
