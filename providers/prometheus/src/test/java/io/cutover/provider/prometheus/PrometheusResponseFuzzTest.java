// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.prometheus;

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
 * Fuzzes the Prometheus HTTP API reader with mutated responses (bodies and status codes), served by
 * an OkHttp interceptor instead of a server: every query returns samples or fails with a {@link
 * ProviderException} or {@link InvalidSpecException} naming the query.
 */
class PrometheusResponseFuzzTest {
  private static final List<String> BODIES =
      List.of(
          "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
              + "{\"job\":\"app\"},\"value\":[1767225600.123,\"0.25\"]}]}}",
          "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":"
              + "[1767225600,\"NaN\"]}}",
          "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},"
              + "\"values\":[[1767225600,\"1\"],[1767225605.5,\"+Inf\"],[1767225610,\"-Inf\"]]}]}}",
          "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}",
          "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error at char 4\"}",
          "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"query timed out\"}");

  private record Reply(int code, String body) {}

  @Provide
  Arbitrary<Reply> replies() {
    return Combinators.combine(
            Arbitraries.of(200, 200, 200, 400, 422, 429, 500, 503, 404, 302),
            Mutations.json(BODIES))
        .as(Reply::new);
  }

  @Example
  void aSampleThatIsNotANumberIsAProviderException() {
    // Found by the property below: Double.parseDouble threw NumberFormatException.
    Reply reply = new Reply(200, BODIES.get(0).replace("\"0.25\"", "\"+\""));
    assertThatThrownBy(() -> source(reply).query(QUERY))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("malformed sample");
    Reply huge = new Reply(200, BODIES.get(0).replace("1767225600.123", "1e300"));
    assertThatThrownBy(() -> source(huge).query(QUERY))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("malformed sample");
  }

  private static final MetricQuery QUERY =
      MetricQuery.instant("rate(errors[1m])", Map.of(), Instant.parse("2026-01-01T00:00:00Z"));

  @Property
  void responsesGiveSamplesOrATypedError(@ForAll("replies") Reply reply) {
    PrometheusMetricSource source = source(reply);
    Instant end = Instant.parse("2026-01-01T00:00:00Z");
    boolean range = reply.body().length() % 2 == 0;
    MetricQuery query =
        range
            ? new MetricQuery(
                "rate(errors[1m])", Map.of(), end.minusSeconds(60), end, Duration.ofSeconds(5))
            : QUERY;
    check(source, query, reply);
  }

  private static PrometheusMetricSource source(Reply reply) {
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
    return PrometheusMetricSource.builder("http://prometheus.invalid:9090")
        .client(client)
        .retries(1, Duration.ofMillis(1))
        .build();
  }

  private static void check(PrometheusMetricSource source, MetricQuery query, Reply reply) {
    Fuzz.Outcome<MetricResult> out =
        Fuzz.run(
            "prometheus_response",
            reply,
            () -> source.query(query),
            ProviderException.class,
            InvalidSpecException.class);
    if (!out.accepted()) {
      String message = out.refusal().getMessage();
      Fuzz.require(
          message.contains("rate(errors[1m])") || message.contains("prometheus.invalid"),
          "prometheus_response",
          reply,
          () -> "the error names neither the query nor the server: " + message);
    }
  }
}
