-- +goose Up
-- The discussion of each review cycle. A comment may be rewritten for ten
-- minutes, then only appended to; every earlier text is kept in comment_edits.
CREATE TABLE comments (
    id         INTEGER PRIMARY KEY,
    release_id INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    cycle      INTEGER NOT NULL,
    parent_id  INTEGER REFERENCES comments (id),
    author_id  INTEGER NOT NULL REFERENCES users (id),
    author     TEXT NOT NULL,
    body       TEXT NOT NULL,
    mentions   TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    edits      INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX comments_release ON comments (release_id, cycle, id);

CREATE TABLE comment_edits (
    id         INTEGER PRIMARY KEY,
    comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    body       TEXT NOT NULL, -- the text before this edit
    edited_at  TEXT NOT NULL
) STRICT;
CREATE TRIGGER comment_edits_never_edited BEFORE UPDATE ON comment_edits
BEGIN SELECT RAISE(ABORT, 'the edit history is append-only'); END;

-- When the current review cycle opened, to say how long roles have been awaited.
ALTER TABLE releases ADD COLUMN review_at TEXT;
