-- Local accounts for installs without an identity provider (issue 4): Argon2id passwords, an optional
-- TOTP second factor with recovery codes, and login throttling that holds across restarts and nodes.
-- Runs unchanged on SQLite and PostgreSQL. Times are epoch milliseconds (UTC). User ids are the
-- core's UUIDv7 strings; no foreign keys, so this capability stands apart from the users table.

CREATE TABLE local_credentials (
    user_id        TEXT PRIMARY KEY,
    password_hash  TEXT NOT NULL,      -- Argon2id PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash)
    updated_at     BIGINT NOT NULL
);

CREATE TABLE local_totp (
    user_id         TEXT PRIMARY KEY,
    secret          TEXT,              -- sealed (SecretSealer), never plain; NULL until an enrolment is confirmed
    enabled_at      BIGINT,
    last_step       BIGINT,            -- last accepted 30 s step: a code is never accepted twice
    pending_secret  TEXT,              -- sealed; an enrolment begun and not yet confirmed
    pending_since   BIGINT
);

CREATE TABLE local_recovery_codes (
    user_id     TEXT NOT NULL,
    code_hash   TEXT NOT NULL,         -- SHA-256 hex of the normalised code (80 random bits)
    created_at  BIGINT NOT NULL,
    used_at     BIGINT,                -- set once, atomically: each code works one time
    PRIMARY KEY (user_id, code_hash)
);

-- Keyed by a digest of the login name, not the user id, so unknown names are throttled exactly like
-- known ones and a lockout never reveals whether an account exists.
CREATE TABLE local_login_throttle (
    subject          TEXT PRIMARY KEY, -- SHA-256 hex of the normalised login name
    failures         INTEGER NOT NULL,
    last_failure_at  BIGINT NOT NULL,
    locked_until     BIGINT
);

CREATE INDEX local_login_throttle_last_failure ON local_login_throttle (last_failure_at);
