-- Provider credentials managed through the admin API, encrypted at rest with AES-256-GCM; the value
-- is never stored in clear. Runs unchanged on SQLite and PostgreSQL; times are epoch milliseconds (UTC).

CREATE TABLE provider_secrets (
    provider     TEXT NOT NULL,    -- provider name from the configuration
    field        TEXT NOT NULL,    -- api_key, aws_secret_access_key, ... (SecretField)
    ciphertext   TEXT NOT NULL,    -- v1:<key id>:<base64(nonce || ciphertext || tag)>, bound to provider and field
    key_id       TEXT NOT NULL,    -- the key the ciphertext is under (also inside it): what re-encryption looks at
    fingerprint  TEXT NOT NULL,    -- sha256:<first 8 hex digits of the value's SHA-256>, for display
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,  -- last change of the value (re-encryption does not count)
    updated_by   TEXT NOT NULL,    -- who made that change (user id, or 'master')
    PRIMARY KEY (provider, field)
);

CREATE INDEX provider_secrets_key_id ON provider_secrets (key_id);
