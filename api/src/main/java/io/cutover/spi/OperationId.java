package io.cutover.spi;

import io.cutover.api.InvalidSpecException;

/**
 * The deterministic identity of one side effect: {@code <rolloutId>/<phase><stepIndex>/<kind>}, e.g.
 * {@code r-7f3a/s3/route}. The engine derives it from the journal, so after a crash the re-issued call
 * carries the same id, and a provider that has already performed it returns the earlier result instead
 * of acting twice.
 *
 * @param value the id; non-blank, at most 256 characters, no whitespace
 */
public record OperationId(String value) {
  /** Validates the id. */
  public OperationId {
    if (value == null || value.isBlank() || value.length() > 256 || hasWhitespace(value)) {
      throw new InvalidSpecException("operationId", "'" + value + "' is not a valid operation id",
          "use 1-256 characters without whitespace");
    }
  }

  private static boolean hasWhitespace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  /** The id of a forward step's effect. */
  public static OperationId forStep(String rolloutId, int stepIndex, String kind) {
    return new OperationId(rolloutId + "/s" + stepIndex + "/" + kind);
  }

  /** The id of a rollback step's effect. */
  public static OperationId forRollbackStep(String rolloutId, int stepIndex, String kind) {
    return new OperationId(rolloutId + "/r" + stepIndex + "/" + kind);
  }

  @Override
  public String toString() {
    return value;
  }
}
