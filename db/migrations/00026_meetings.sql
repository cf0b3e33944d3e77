-- +goose Up
-- A release's Go/No-Go meeting: one per release, kept when cancelled so
-- that its invitation's SEQUENCE keeps growing if it is scheduled again
-- (calendars drop a change whose SEQUENCE is not higher than the one they
-- hold). The limits are the domain's (gonogo.MinMeetingMinutes,
-- MaxMeetingMinutes, MaxMeetingWhereLen).
CREATE TABLE meetings (
    release_id INTEGER PRIMARY KEY REFERENCES releases (id) ON DELETE CASCADE,
    starts_at  TEXT NOT NULL,
    minutes    INTEGER NOT NULL CHECK (minutes BETWEEN 15 AND 240),
    location   TEXT NOT NULL CHECK (length(location) BETWEEN 1 AND 500),
    seq        INTEGER NOT NULL DEFAULT 0 CHECK (seq >= 0),
    cancelled  INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
    by_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    by_name    TEXT NOT NULL DEFAULT '',
    changed_at TEXT NOT NULL
) STRICT;
-- The calendar shows the meetings of the dates it shows.
CREATE INDEX meetings_start ON meetings (starts_at) WHERE cancelled = 0;

-- +goose Down
DROP TABLE meetings;
