-- +goose Up
-- Periods when nothing may be deployed. A one-off freeze has absolute times
-- (UTC); a weekly one has wall-clock days and minutes in the team's zone.
CREATE TABLE freezes (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    weekly     INTEGER NOT NULL DEFAULT 0 CHECK (weekly IN (0, 1)),
    once_start TEXT,
    once_end   TEXT,
    start_day  INTEGER NOT NULL DEFAULT 0,
    start_min  INTEGER NOT NULL DEFAULT 0,
    end_day    INTEGER NOT NULL DEFAULT 0,
    end_min    INTEGER NOT NULL DEFAULT 0,
    products   TEXT NOT NULL DEFAULT '', -- comma-separated; empty for every product
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

-- Personal calendar feed tokens: calendar apps cannot sign in. Only the
-- token's SHA-256 is kept.
CREATE TABLE calendar_tokens (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    hash       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
) STRICT;

-- Bumped whenever the window moves, so calendar apps update their copy.
ALTER TABLE releases ADD COLUMN window_seq INTEGER NOT NULL DEFAULT 0;
