-- +goose Up
-- A deputyship: a holder's role held by a deputy from starts_at until
-- ends_at (UTC, as every time). The products it covers are the holder's
-- grants of the role as they stand, read with it, so none are copied here.
-- ended_at is set when the holder ends it early; the row stays, so the
-- deputy is told why they may no longer sign.
CREATE TABLE deputyships (
    id         INTEGER PRIMARY KEY,
    holder_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    deputy_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    ended_at   TEXT,
    created_at TEXT NOT NULL,
    CHECK (holder_id <> deputy_id),
    CHECK (ends_at > starts_at)
) STRICT;
-- What every request of a deputy reads, and what a holder's profile lists.
CREATE INDEX deputyships_deputy ON deputyships (deputy_id, ends_at);
CREATE INDEX deputyships_holder ON deputyships (holder_id, ends_at);

-- +goose Down
DROP TABLE deputyships;
