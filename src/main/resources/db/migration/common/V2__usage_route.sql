-- Which attempt of its request a usage event was, and why that deployment was chosen
-- (weighted, retry:server_error, fallback:rate_limited:gpt-4o, ...). Runs on SQLite and PostgreSQL.
ALTER TABLE usage_events ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
ALTER TABLE usage_events ADD COLUMN route TEXT;
