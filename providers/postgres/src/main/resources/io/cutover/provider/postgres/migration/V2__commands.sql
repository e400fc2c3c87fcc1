-- Commands from any replica to the replica that owns a rollout (docs/scale-out.md, "Commands").
-- A replica inserts a row and notifies channel cutover_command; the owner takes the open rows of the
-- rollouts it owns, applies each through its engine (which journals it), and records the outcome;
-- channel cutover_command_done wakes the sender. Both channels are only hints: every replica also
-- polls, so a lost notification (a broken LISTEN connection) delays a command, never loses it.
CREATE TABLE cutover_command (
  id           BIGSERIAL   PRIMARY KEY,
  rollout_id   TEXT        NOT NULL,
  command      TEXT        NOT NULL,
  argument     TEXT,
  sender       TEXT        NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  applied_by   TEXT,
  done_at      TIMESTAMPTZ,
  outcome      TEXT,
  message      TEXT
);
CREATE INDEX cutover_command_open ON cutover_command (rollout_id) WHERE done_at IS NULL;
