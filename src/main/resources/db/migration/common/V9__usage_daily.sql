-- Daily usage aggregates for reporting, derived from usage_events and rebuildable from them
-- (tollgate usage rebuild). Runs unchanged on SQLite and PostgreSQL; money is integer micro-dollars.
-- Maintained in the transaction that inserts the events, counting only the events newly inserted, so a
-- replayed batch never counts twice.
CREATE TABLE usage_daily (
    day                 TEXT NOT NULL,     -- 'YYYY-MM-DD', the UTC day of the events' created_at
    team_id             TEXT NOT NULL,
    user_id             TEXT NOT NULL,     -- '' for calls of service accounts and the master key
    key_id              TEXT NOT NULL,
    model               TEXT NOT NULL,     -- the model name the caller asked for
    requests            BIGINT NOT NULL,
    input_tokens        BIGINT NOT NULL,
    output_tokens       BIGINT NOT NULL,
    cached_tokens       BIGINT NOT NULL,
    reasoning_tokens    BIGINT NOT NULL,
    cost_micros         BIGINT NOT NULL,
    estimated_requests  BIGINT NOT NULL,   -- events whose tokens were counted locally
    error_requests      BIGINT NOT NULL,   -- events whose status is not ok
    PRIMARY KEY (day, team_id, user_id, key_id, model)
);

-- Team-scoped reports (a team admin's, or a team filter) read one team's days.
CREATE INDEX usage_daily_team_day ON usage_daily (team_id, day);
-- A member's report reads their own rows.
CREATE INDEX usage_daily_user_day ON usage_daily (user_id, day);
