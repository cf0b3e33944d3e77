-- +goose Up
-- Sign-offs. A vote is never changed: a role that changes its mind casts a
-- new one, and the latest of the cycle counts.
CREATE TABLE votes (
    id         INTEGER PRIMARY KEY,
    release_id INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    cycle      INTEGER NOT NULL,
    role       TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    user_name  TEXT NOT NULL,
    value      TEXT NOT NULL CHECK (value IN ('go', 'no-go')),
    comment    TEXT NOT NULL DEFAULT '',
    conditions TEXT NOT NULL DEFAULT '[]', -- JSON array of {Text, Owner}
    at         TEXT NOT NULL
) STRICT;
CREATE INDEX votes_release ON votes (release_id, cycle, role, id);

-- Roles that need not sign off a release, and why.
CREATE TABLE waivers (
    release_id INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    reason     TEXT NOT NULL,
    by_name    TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (release_id, role)
) STRICT, WITHOUT ROWID;

-- Recorded decisions, one per review cycle, with the frozen record.
CREATE TABLE decisions (
    id           INTEGER PRIMARY KEY,
    release_id   INTEGER NOT NULL REFERENCES releases (id),
    number       INTEGER NOT NULL,
    cycle        INTEGER NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('go', 'no-go')),
    rationale    TEXT NOT NULL DEFAULT '',
    conditions   TEXT NOT NULL DEFAULT '[]',
    decider_id   INTEGER REFERENCES users (id),
    decider_name TEXT NOT NULL,
    at           TEXT NOT NULL,
    record       TEXT NOT NULL, -- JSON of gonogo.Record
    UNIQUE (release_id, number),
    UNIQUE (release_id, cycle)
) STRICT;

-- What is recorded stays recorded, whatever a bug or a hand in the shell
-- tries: decisions, votes and the audit trail refuse edits and deletions.
CREATE TRIGGER decisions_never_edited BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are never edited'); END;
CREATE TRIGGER decisions_never_deleted BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are never deleted'); END;
CREATE TRIGGER votes_never_edited BEFORE UPDATE ON votes
BEGIN SELECT RAISE(ABORT, 'votes are never edited'); END;
CREATE TRIGGER audit_never_edited BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_never_deleted BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

-- Conditions of votes and decisions are post-deploy verification items;
-- source says where one came from ('vote' or 'decision') and source_id which.
ALTER TABLE items ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN source_id INTEGER NOT NULL DEFAULT 0;
