-- +goose Up
-- The mail outbox: a message is written here in the same transaction as
-- the change it tells of, and the mail worker sends it afterwards, so a
-- crash between the two loses nothing. A row holds what the message says
-- (the worker renders it when it sends), where it stands, and its last
-- error. Sent rows are kept a week and unsent ones 30 days
-- (gonogo.SentMailKept, UnsentMailKept).
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER REFERENCES users (id) ON DELETE CASCADE,
    to_addr         TEXT NOT NULL,
    kind            TEXT NOT NULL DEFAULT '',
    release_id      INTEGER REFERENCES releases (id) ON DELETE CASCADE,
    release         TEXT NOT NULL DEFAULT '',
    subject         TEXT NOT NULL,
    text            TEXT NOT NULL DEFAULT '',
    link            TEXT NOT NULL DEFAULT '',
    actor           TEXT NOT NULL DEFAULT '',
    -- An iCalendar part (a meeting invitation) and its METHOD, or ''.
    calendar        TEXT NOT NULL DEFAULT '',
    calendar_method TEXT NOT NULL DEFAULT '' CHECK (calendar_method IN ('', 'REQUEST', 'CANCEL')),
    status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    error           TEXT NOT NULL DEFAULT '',
    next_attempt_at TEXT NOT NULL,
    last_attempt_at TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
) STRICT;
-- The worker's claim: the queued rows that are due, oldest first.
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'queued';
-- Admin → Email, newest first, by status; and the pruning by age.
CREATE INDEX outbox_status ON outbox (status, id);
CREATE INDEX outbox_created ON outbox (created_at);

-- The key that signs the unsubscribe links in messages
-- (gonogo.UnsubscribePath): made once, here, and never shown.
CREATE TABLE mail_key (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    key BLOB NOT NULL
) STRICT;
INSERT INTO mail_key (id, key) VALUES (1, randomblob(32));

-- +goose Down
DROP TABLE mail_key;
DROP TABLE outbox;
