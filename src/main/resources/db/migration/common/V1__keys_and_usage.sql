-- Runs unchanged on SQLite and PostgreSQL: TEXT, BIGINT and INTEGER mean the same on both.
-- Times are epoch milliseconds (UTC); money is integer micro-dollars.

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    key_hash    TEXT NOT NULL UNIQUE,   -- SHA-256 of the secret, hex
    key_prefix  TEXT NOT NULL,          -- first characters, for display only
    models      TEXT NOT NULL,          -- JSON array of model names; [] = every model
    metadata    TEXT NOT NULL,          -- JSON object, caller-defined
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT,
    revoked_at  BIGINT
);

CREATE TABLE usage_events (
    id               TEXT PRIMARY KEY,  -- UUIDv7: inserts are idempotent on it
    request_id       TEXT NOT NULL,
    key_id           TEXT NOT NULL,
    endpoint         TEXT NOT NULL,
    model            TEXT NOT NULL,
    deployment       TEXT NOT NULL,
    provider         TEXT NOT NULL,
    upstream_model   TEXT NOT NULL,
    input_tokens     BIGINT NOT NULL,
    output_tokens    BIGINT NOT NULL,
    cached_tokens    BIGINT NOT NULL,
    reasoning_tokens BIGINT NOT NULL,
    estimated        INTEGER NOT NULL,  -- 1 when counted locally because the upstream reported no usage
    cost_micros      BIGINT NOT NULL,
    status           TEXT NOT NULL,     -- ok, partial, upstream_error, timeout, client_closed
    http_status      INTEGER NOT NULL,
    latency_ms       BIGINT NOT NULL,
    ttft_ms          BIGINT,
    streamed         INTEGER NOT NULL,
    error            TEXT,
    created_at       BIGINT NOT NULL
);

CREATE INDEX usage_events_created_at ON usage_events (created_at);
CREATE INDEX usage_events_key_created ON usage_events (key_id, created_at);
