-- +goose Up
CREATE TABLE defects (
    id          INTEGER PRIMARY KEY,
    release_id  INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    severity    TEXT NOT NULL CHECK (severity IN ('blocker', 'critical', 'major', 'minor')),
    status      TEXT NOT NULL CHECK (status IN ('open', 'in-progress', 'fixed', 'verified', 'deferred', 'wont-fix')),
    key         TEXT NOT NULL DEFAULT '',
    tracker_url TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    updated_by  TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX defects_release ON defects (release_id);
CREATE INDEX defects_status ON defects (status, severity);
