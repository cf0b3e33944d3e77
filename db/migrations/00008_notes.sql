-- +goose Up
-- Release notes: one per release, a draft until published. Sections are
-- Markdown; links is a JSON array of {Title, URL}. Internal is for support
-- and never leaves the signed-in board.
CREATE TABLE notes (
    id           INTEGER PRIMARY KEY,
    release_id   INTEGER NOT NULL UNIQUE REFERENCES releases (id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    highlights   TEXT NOT NULL DEFAULT '',
    changes      TEXT NOT NULL DEFAULT '',
    fixes        TEXT NOT NULL DEFAULT '',
    known_issues TEXT NOT NULL DEFAULT '',
    internal     TEXT NOT NULL DEFAULT '',
    links        TEXT NOT NULL DEFAULT '[]',
    status       TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    updated_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    published_by TEXT NOT NULL DEFAULT '',
    published_at TEXT,
    amended_at   TEXT
) STRICT;
CREATE INDEX notes_published ON notes (status, published_at);

-- The published text at its publication and at every amendment, with who
-- and when. Kept as written: the database refuses edits and deletions.
CREATE TABLE notes_revisions (
    id       INTEGER PRIMARY KEY,
    notes_id INTEGER NOT NULL REFERENCES notes (id),
    number   INTEGER NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('publish', 'amend')),
    note     TEXT NOT NULL DEFAULT '',
    content  TEXT NOT NULL, -- JSON of gonogo.NotesContent
    by_id    INTEGER REFERENCES users (id),
    by_name  TEXT NOT NULL,
    at       TEXT NOT NULL,
    UNIQUE (notes_id, number)
) STRICT;
CREATE TRIGGER notes_revisions_never_edited BEFORE UPDATE ON notes_revisions
BEGIN SELECT RAISE(ABORT, 'notes revisions are never edited'); END;
CREATE TRIGGER notes_revisions_never_deleted BEFORE DELETE ON notes_revisions
BEGIN SELECT RAISE(ABORT, 'notes revisions are never deleted'); END;

-- Full-text search over published notes, rowid = notes.id. Only what
-- customers may read is indexed, so a search can never surface internal
-- notes. The store keeps it in step when notes are published or amended.
CREATE VIRTUAL TABLE notes_fts USING fts5 (
    title,    -- the notes' title
    body,     -- highlights, changes, fixes and known issues
    release,  -- product, version and the release's title
    tokenize = 'unicode61 remove_diacritics 2'
);

-- When a release reached released: the date it shipped. Set by the same
-- update that changes the state, so no code path can forget it.
ALTER TABLE releases ADD COLUMN released_at TEXT;
CREATE TRIGGER releases_shipped AFTER UPDATE OF state ON releases
WHEN NEW.state = 'released' AND OLD.state <> 'released'
BEGIN UPDATE releases SET released_at = NEW.updated_at WHERE id = NEW.id; END;
-- Releases that shipped before this migration: the audit trail knows when.
UPDATE releases SET released_at = COALESCE(
    (SELECT max(e.at) FROM audit_events e
     WHERE e.release_id = releases.id AND e.action = 'release.state' AND e.detail LIKE 'moved from % to Released%'),
    updated_at)
WHERE state = 'released';

-- Publishing the notes completes the template's "Release notes written"
-- item, found by its check key. Give the key to the template and to the
-- releases that already have the item, unless something else holds it.
UPDATE template_items SET check_key = 'release-notes'
WHERE id = (SELECT min(id) FROM template_items WHERE title = 'Release notes written' AND check_key = '')
  AND NOT EXISTS (SELECT 1 FROM template_items WHERE check_key = 'release-notes');
UPDATE items SET check_key = 'release-notes'
WHERE id = (SELECT min(o.id) FROM items o
            WHERE o.release_id = items.release_id AND o.title = 'Release notes written' AND o.check_key = '' AND o.source = '')
  AND NOT EXISTS (SELECT 1 FROM items o WHERE o.release_id = items.release_id AND o.check_key = 'release-notes');
