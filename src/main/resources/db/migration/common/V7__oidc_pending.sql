-- OpenID Connect sign-ins that were started and wait for the provider's callback, shared by every node
-- so the callback may land on any of them. Rows are deleted on first use (single-use state) or once
-- expired. Runs unchanged on SQLite and PostgreSQL; times are epoch milliseconds.
CREATE TABLE oidc_pending_logins (
    state_hash     TEXT PRIMARY KEY,   -- SHA-256 of the state, hex; the state itself is never stored
    nonce_hash     TEXT NOT NULL,      -- SHA-256 of the nonce, hex
    code_verifier  TEXT NOT NULL,      -- PKCE verifier: useless without the code, single use, minutes long
    return_to      TEXT NOT NULL,      -- validated relative path
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);

CREATE INDEX oidc_pending_logins_expires ON oidc_pending_logins (expires_at);
