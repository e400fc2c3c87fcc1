// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.http.metric;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;
import io.cutover.spi.MetricQuery;
import io.cutover.spi.MetricResult;
import io.cutover.testfixtures.fuzz.Fuzz;
import io.cutover.testfixtures.fuzz.Mutations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Fuzzes the web metric source's reading of answers (mutated JSON bodies and status codes, served
 * by an OkHttp interceptor instead of a server) and of the gate's JSONPath (mutated paths over a
 * valid answer): every query returns samples or fails with a {@link ProviderException} or {@link
 * InvalidSpecException}.
 */
class WebResponseFuzzTest {
  private static final List<String> BODIES =
      List.of(
          "{\"data\":{\"errorRate\":0.25,\"release\":\"r1\"}}",
          "{\"data\":{\"errorRate\":\"0.25\"}}",
          "{\"series\":[[1767225600,\"1\"],[1767225605.5,2.5],[1767225610,\"NaN\"]]}",
          "{\"rows\":[{\"r\":\"a\",\"v\":1},{\"r\":\"b\",\"v\":2}]}",
          "{\"data\":{\"errorRate\":null}}",
          "[]");
  private static final List<String> PATHS =
      List.of(
          "$.data.errorRate", "$.series", "$.rows[?(@.r == 'b')].v", "$.rows[0].v", "$..v", "$");
  private static final Instant END = Instant.parse("2026-01-01T00:00:00Z");

  private record Reply(int code, String body, String path) {}

  @Provide
  Arbitrary<Reply> bodies() {
    return Combinators.combine(
            Arbitraries.of(200, 200, 200, 400, 404, 429, 500, 503, 302),
            Mutations.json(BODIES),
            Arbitraries.of(PATHS))
        .as(Reply::new);
  }

  @Provide
  Arbitrary<Reply> paths() {
    return Combinators.combine(Arbitraries.of(BODIES), Mutations.text(PATHS))
        .as((body, path) -> new Reply(200, body, path));
  }

  @Example
  void aFilterOverANumberIsAProviderException() {
    // Found by the property below: Jayway threw InvalidPathException ("Filter ... can not be
    // applied to primitives") while evaluating, quoting the answer in its message.
    Reply reply = new Reply(200, "{\"rows\":4.9E-324}", "$.rows[?(@.r == 'b')].v");
    assertThatThrownBy(() -> source(reply).query(instant(reply)))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("cannot be evaluated on the answer")
        .hasMessageNotContaining("4.9E-324");
  }

  @Property
  void answersGiveSamplesOrATypedError(@ForAll("bodies") Reply reply) {
    check(reply);
  }

  @Property
  void pathsSelectOrAreRefused(@ForAll("paths") Reply reply) {
    check(reply);
  }

  private static MetricQuery instant(Reply reply) {
    return MetricQuery.instant(reply.path(), Map.of("release", "r1"), END);
  }

  private static WebMetricSource source(Reply reply) {
    OkHttpClient client =
        new OkHttpClient.Builder()
            .addInterceptor(
                chain ->
                    new Response.Builder()
                        .request(chain.request())
                        .protocol(Protocol.HTTP_1_1)
                        .code(reply.code())
                        .message("fuzz")
                        .body(ResponseBody.create(reply.body(), MediaType.get("application/json")))
                        .build())
            .build();
    return WebMetricSource.builder("https://metrics.invalid/api/{{release}}")
        .client(client)
        .retries(1, Duration.ofMillis(1))
        .build();
  }

  private static void check(Reply reply) {
    WebMetricSource source = source(reply);
    boolean range = reply.body().length() % 2 == 0;
    Fuzz.Outcome<MetricResult> out =
        Fuzz.run(
            "web_response",
            reply,
            // The query is built inside: a blank mutated path is refused by MetricQuery itself.
            () ->
                source.query(
                    range
                        ? new MetricQuery(
                            reply.path(),
                            Map.of("release", "r1"),
                            END.minusSeconds(60),
                            END,
                            Duration.ofSeconds(5))
                        : instant(reply)),
            ProviderException.class,
            InvalidSpecException.class);
    if (!out.accepted()) {
      String message = out.refusal().getMessage();
      Fuzz.require(
          message.contains("metrics.invalid") || message.contains("query"),
          "web_response",
          reply,
          () -> "the error names neither the server nor the query: " + message);
    }
  }
}
