-- +goose Up
-- A person's inbox: what a change told them, written in the change's own
-- transaction. The words and the link are kept as they were written, so
-- the inbox reads without joining the release's history; release_id lets
-- the row go with its release. event_id is the audit event that caused it.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    release_id INTEGER REFERENCES releases (id) ON DELETE CASCADE,
    release    TEXT NOT NULL DEFAULT '',
    event_id   INTEGER NOT NULL,
    actor      TEXT NOT NULL DEFAULT '',
    text       TEXT NOT NULL,
    link       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at    TEXT
) STRICT;
-- The inbox page, newest first, paged by id; the cap per person (the
-- newest gonogo.InboxKeep) is found along it too.
CREATE INDEX notifications_inbox ON notifications (user_id, id);
-- The bell: a person's unread count, read on every page, counts only
-- the unread rows.
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
-- Read rows past gonogo.ReadKept are dropped as a person's inbox is
-- written: a seek along this index, not a walk of their inbox.
CREATE INDEX notifications_read ON notifications (user_id, read_at) WHERE read_at IS NOT NULL;

-- The channel a person chose for a kind; a kind without a row takes its
-- default (gonogo.NotificationKind.DefaultChannel).
CREATE TABLE notification_prefs (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('inbox', 'email', 'off')),
    PRIMARY KEY (user_id, kind)
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE notification_prefs;
DROP TABLE notifications;
