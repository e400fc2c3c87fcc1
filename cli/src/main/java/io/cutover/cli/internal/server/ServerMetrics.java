// SPDX-License-Identifier: Apache-2.0
package io.cutover.cli.internal.server;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The OpenTelemetry SDK of the server, with one metric reader: the Prometheus exporter's, pulled on
 * each scrape of {@code /metrics} (no push, no background thread, no second HTTP server). The
 * engines get {@link #openTelemetry()}; the library itself only ever sees the OpenTelemetry API.
 */
public final class ServerMetrics implements AutoCloseable {
  private final PrometheusMetricReader reader = PrometheusMetricReader.create();
  private final OpenTelemetrySdk sdk =
      OpenTelemetrySdk.builder()
          .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build())
          .build();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  /** What the engines record their instruments with. */
  public OpenTelemetry openTelemetry() {
    return sdk;
  }

  /** The content type of {@link #scrape()}. */
  public String contentType() {
    return writer.getContentType();
  }

  /** The current values in the Prometheus text format. */
  public byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      writer.write(out, reader.collect());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Override
  public void close() {
    sdk.close();
  }
}
