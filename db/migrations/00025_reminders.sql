-- +goose Up
-- The reminders the board sent on its own: one row per release, review
-- cycle and occasion (gonogo.Occasion), written in the same transaction
-- as the reminder's notifications, so a restart or a second tick never
-- sends one again. A new cycle asks again, so its reminders are new rows.
CREATE TABLE reminders_sent (
    release_id INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    cycle      INTEGER NOT NULL,
    occasion   TEXT NOT NULL CHECK (occasion IN ('opened', 'window', 'escalate')),
    sent_at    TEXT NOT NULL,
    PRIMARY KEY (release_id, cycle, occasion)
) STRICT, WITHOUT ROWID;

-- A product's own reminder hours; NULL takes the team's (settings 'team').
CREATE TABLE product_reminders (
    product       TEXT PRIMARY KEY REFERENCES products (key) ON DELETE CASCADE,
    after_open    INTEGER CHECK (after_open BETWEEN 0 AND 720),
    before_window INTEGER CHECK (before_window BETWEEN 0 AND 720),
    escalate      INTEGER CHECK (escalate BETWEEN 0 AND 720)
) STRICT, WITHOUT ROWID;

-- A person's daily digest: the hour they chose, in their zone ('' for
-- the team's), and the local day of the last one, so each day has one.
CREATE TABLE digests (
    user_id  INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    hour     INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
    zone     TEXT NOT NULL DEFAULT '',
    last_day TEXT NOT NULL DEFAULT ''
) STRICT;

-- +goose Down
DROP TABLE digests;
DROP TABLE product_reminders;
DROP TABLE reminders_sent;
