-- Hard budgets (metering.budget). Runs unchanged on SQLite and PostgreSQL. Times are epoch milliseconds
-- (UTC); money is integer micro-dollars. Reservations are not stored: they live and die with the calls
-- of one process.

CREATE TABLE budgets (
    id             TEXT PRIMARY KEY,
    scope_kind     TEXT NOT NULL,      -- organization, team, user, key
    scope_id       TEXT NOT NULL,
    amount_micros  BIGINT NOT NULL,
    period         TEXT NOT NULL,      -- daily, weekly, monthly, lifetime (windows in UTC, weeks from Monday)
    thresholds     TEXT NOT NULL,      -- alert percentages, ascending, comma-separated: 50,80,100
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

CREATE INDEX budgets_scope ON budgets (scope_kind, scope_id);

-- Settled spend of each budget window, written as absolute totals (rewrites are harmless). Rows of past
-- windows stay as history.
CREATE TABLE budget_spend (
    budget_id       TEXT NOT NULL,
    period_start    BIGINT NOT NULL,   -- the window's start; 0 for a lifetime budget
    spent_micros    BIGINT NOT NULL,   -- overrun included
    overrun_micros  BIGINT NOT NULL,   -- the part of the spend no reservation held
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (budget_id, period_start)
);
