// SPDX-License-Identifier: Apache-2.0
package io.cutover.spi;

import io.cutover.api.InvalidSpecException;
import io.cutover.api.ProviderException;

/**
 * Answers metric queries for releases over windows: Prometheus, in-process counters, scripted
 * series.
 *
 * <p><b>Semantics.</b> Absent data is {@link MetricResult#noData}, never zero and never an
 * exception.
 *
 * <p><b>Threading.</b> Safe for concurrent use; may block on I/O.
 *
 * <p><b>Errors.</b> A query the backend rejects as malformed is {@link InvalidSpecException} naming
 * the query (a configuration error, not retried); an unreachable backend is a retryable {@link
 * ProviderException}.
 */
public interface MetricSource {

  /** Runs a query. */
  MetricResult query(MetricQuery query);
}
