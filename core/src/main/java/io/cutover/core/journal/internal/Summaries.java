// SPDX-License-Identifier: Apache-2.0
package io.cutover.core.journal.internal;

import io.cutover.core.journal.RolloutSummary;
import io.cutover.spi.JournalRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns the records of an ended rollout into its {@link RolloutSummary}, from the index the engine
 * gave its CREATED and ENDED records ({@link JournalRecord#index()}): the journal never reads
 * payloads. Records written before the index existed carry none; for them {@link LegacyIndex}
 * derives it once. Lenient: a missing key leaves its field null, because compaction must never fail
 * on what a record holds.
 */
public final class Summaries {
  /** Prefix of the index keys that hold annotations. */
  public static final String ANNOTATION = "annotation.";

  private Summaries() {}

  /** The summary of a rollout's records (in order), or null if they hold no ENDED record. */
  public static @Nullable RolloutSummary of(List<JournalRecord> records) {
    JournalRecord created = null;
    JournalRecord ended = null;
    for (JournalRecord r : records) {
      if (r.type() == JournalRecord.Type.CREATED && created == null) {
        created = r;
      } else if (r.type() == JournalRecord.Type.ENDED) {
        ended = r;
      }
    }
    if (ended == null) {
      return null;
    }
    JournalRecord first = records.get(0);
    Map<String, String> c = created == null ? Map.of() : index(created);
    Map<String, String> e = index(ended);
    Map<String, String> annotations = new LinkedHashMap<>();
    c.forEach(
        (k, v) -> {
          if (k.startsWith(ANNOTATION)) {
            annotations.put(k.substring(ANNOTATION.length()), v);
          }
        });
    return new RolloutSummary(
        first.rolloutId(),
        first.service(),
        c.get("strategy"),
        firstOf(c, e, "target"),
        firstOf(c, e, "stable"),
        c.get("artifact"),
        c.get("config"),
        c.get("initiator"),
        annotations,
        (created != null ? created : first).time(),
        ended.time(),
        e.get("outcome"),
        e.get("reason"),
        first.sequence(),
        records.get(records.size() - 1).sequence(),
        records.size());
  }

  /** Whether an ENDED record says the rollout succeeded. */
  public static boolean succeeded(JournalRecord ended) {
    return "succeeded".equals(index(ended).get("outcome"));
  }

  private static Map<String, String> index(JournalRecord r) {
    return r.index().isEmpty() ? LegacyIndex.of(r) : r.index();
  }

  private static @Nullable String firstOf(
      Map<String, String> a, Map<String, String> b, String key) {
    String s = a.get(key);
    return s != null ? s : b.get(key);
  }
}
