-- The Cutover journal on PostgreSQL (docs/scale-out.md). Applied by Flyway from cutover-provider-postgres.

-- One row per journal record. body is the record's exact encoding (time to the nanosecond, payload and
-- index verbatim); the other columns repeat parts of it for queries and for people. hash chains every
-- record to the one before it: sha256(prev_hash || seq || body). Compaction sets body to NULL for the
-- records of ended rollouts that moved into cutover_history, and keeps seq, prev_hash and hash, so
-- the chain still links.
CREATE TABLE cutover_journal (
  seq          BIGINT      PRIMARY KEY,
  rollout_id   TEXT        NOT NULL,
  service      TEXT        NOT NULL,
  type         TEXT        NOT NULL,
  operation_id TEXT,
  at           TIMESTAMPTZ NOT NULL,
  body         BYTEA,
  prev_hash    BYTEA       NOT NULL,
  hash         BYTEA       NOT NULL,
  replica      TEXT,
  fence_key    TEXT,
  fence_token  BIGINT,
  written_at   TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX cutover_journal_rollout ON cutover_journal (rollout_id, seq);
CREATE INDEX cutover_journal_service ON cutover_journal (service, seq);

-- The head of the chain: one row. Appends lock it, so sequences are assigned in commit order with no
-- gaps, and replay by sequence never misses a record that commits later.
CREATE TABLE cutover_head (
  id   INT    PRIMARY KEY CHECK (id = 1),
  seq  BIGINT NOT NULL,
  hash BYTEA  NOT NULL
);
INSERT INTO cutover_head (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));

-- The Journal SPI's service lease: one active rollout per service across every replica.
CREATE TABLE cutover_service_lease (
  service    TEXT        PRIMARY KEY,
  rollout_id TEXT        NOT NULL,
  replica    TEXT,
  since      TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);

-- Ownership leases with fencing tokens. A row is never deleted: a release clears replica and expiry,
-- so the token keeps increasing across every acquisition of the key.
CREATE TABLE cutover_lease (
  key         TEXT        PRIMARY KEY,
  replica     TEXT,
  token       BIGINT      NOT NULL,
  expires_at  TIMESTAMPTZ NOT NULL,
  acquired_at TIMESTAMPTZ NOT NULL
);

-- Engine replicas and their heartbeats (the operator view).
CREATE TABLE cutover_replica (
  id           TEXT        PRIMARY KEY,
  description  TEXT        NOT NULL,
  started_at   TIMESTAMPTZ NOT NULL,
  heartbeat_at TIMESTAMPTZ NOT NULL,
  stopped_at   TIMESTAMPTZ
);

-- What compaction keeps of an ended rollout.
CREATE TABLE cutover_history (
  rollout_id  TEXT        PRIMARY KEY,
  service     TEXT        NOT NULL,
  created     BYTEA       NOT NULL,
  ended       BYTEA       NOT NULL,
  first_seq   BIGINT      NOT NULL,
  last_seq    BIGINT      NOT NULL,
  records     INT         NOT NULL
);
CREATE INDEX cutover_history_service ON cutover_history (service, first_seq);
