-- Organisations -> teams -> users, memberships, key ownership and rotation, browser sessions.
-- Runs unchanged on SQLite and PostgreSQL. Times are epoch milliseconds (UTC).

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);

CREATE TABLE teams (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    name        TEXT NOT NULL,
    metadata    TEXT NOT NULL,          -- JSON object
    created_at  BIGINT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE users (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    email        TEXT NOT NULL UNIQUE,  -- lower-cased
    name         TEXT,
    role         TEXT NOT NULL,         -- organisation-wide: admin, viewer, auditor or member
    idp_issuer   TEXT,                  -- set for users provisioned by single sign-on
    idp_subject  TEXT,
    disabled_at  BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (idp_issuer, idp_subject)
);

CREATE TABLE memberships (
    team_id     TEXT NOT NULL REFERENCES teams (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    role        TEXT NOT NULL,          -- team_admin or member
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- Keys made before teams existed belong to the default team of the default organisation.
INSERT INTO organizations (id, name, created_at) VALUES ('default', 'default', 0);
INSERT INTO teams (id, org_id, name, metadata, created_at) VALUES ('default', 'default', 'default', '{}', 0);

ALTER TABLE api_keys ADD COLUMN team_id TEXT NOT NULL DEFAULT 'default';
ALTER TABLE api_keys ADD COLUMN user_id TEXT;                -- null: a service account key
ALTER TABLE api_keys ADD COLUMN previous_key_hash TEXT;      -- the secret before the last rotation ...
ALTER TABLE api_keys ADD COLUMN previous_valid_until BIGINT; -- ... valid until then
CREATE INDEX api_keys_team ON api_keys (team_id);
CREATE INDEX api_keys_user ON api_keys (user_id);
CREATE UNIQUE INDEX api_keys_previous_hash ON api_keys (previous_key_hash);

CREATE TABLE sessions (
    id_hash       TEXT PRIMARY KEY,     -- SHA-256 of the cookie value; the value itself is never stored
    user_id       TEXT NOT NULL REFERENCES users (id),
    csrf_token    TEXT NOT NULL,
    method        TEXT NOT NULL,        -- password or oidc
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,      -- absolute expiry; idle expiry is last_seen_at + the configured idle time
    revoked_at    BIGINT,
    source_ip     TEXT,
    user_agent    TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Usage is scoped to the team (and user) whose key made the call.
ALTER TABLE usage_events ADD COLUMN team_id TEXT NOT NULL DEFAULT 'default';
ALTER TABLE usage_events ADD COLUMN user_id TEXT;
CREATE INDEX usage_events_team_created ON usage_events (team_id, created_at);
