-- The tamper-evident audit log (dev.tollgate.audit). Runs unchanged on SQLite and PostgreSQL.
-- Times are epoch milliseconds (UTC). Entries are only ever inserted, never updated or deleted.

CREATE TABLE audit_log (
    seq            BIGINT NOT NULL PRIMARY KEY,  -- 1, 2, 3 ... without gaps: a missing number is a deleted entry
    id             TEXT NOT NULL UNIQUE,         -- UUIDv7
    created_at     BIGINT NOT NULL,
    org_id         TEXT,                         -- the organisation it belongs to; NULL = gateway-wide
    actor_type     TEXT NOT NULL,                -- user, master, key, system, anonymous
    actor_id       TEXT,
    actor_display  TEXT,
    action         TEXT NOT NULL,                -- dotted, e.g. key.create, signin.failure
    target_type    TEXT,
    target_id      TEXT,
    before_json    TEXT,                         -- canonical JSON, secrets redacted; NULL = none
    after_json     TEXT,
    request_id     TEXT,
    source_ip      TEXT,
    prev_hash      TEXT NOT NULL,                -- hash of entry seq - 1 (64 zeros for seq 1)
    hash           TEXT NOT NULL                 -- SHA-256, hex, of this entry's canonical form
);

CREATE INDEX audit_log_created_at ON audit_log (created_at);
-- An organisation's admins and auditors page through its entries only: equality on org_id, order by seq.
CREATE INDEX audit_log_org ON audit_log (org_id, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_type, actor_id);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id);
CREATE INDEX audit_log_action ON audit_log (action);

-- The chain's head, one row: appenders lock it (SELECT ... FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on
-- SQLite) and move it in the same transaction as their insert, so concurrent appenders on any number of
-- nodes can never fork the chain or skip a number.
CREATE TABLE audit_head (
    id    INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq   BIGINT NOT NULL,
    hash  TEXT NOT NULL
);

INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
