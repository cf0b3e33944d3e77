-- +goose NO TRANSACTION
-- +goose Up
-- A cancelled release frees its version: product and version stay unique
-- among the releases that are not cancelled, and a new release of a
-- cancelled version sits beside the old one, which stays in history.
-- SQLite cannot drop a table's UNIQUE constraint, so the table is rebuilt
-- as its documentation describes: with foreign keys off, so that dropping
-- the old table cascades to nobody (the rows keep their ids, so every
-- reference still holds), inside one transaction.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE releases_new (
    id           INTEGER PRIMARY KEY,
    product      TEXT NOT NULL,
    version      TEXT NOT NULL,
    title        TEXT NOT NULL,
    summary      TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL,
    cycle        INTEGER NOT NULL DEFAULT 1,
    manager_id   INTEGER REFERENCES users (id),
    window_start TEXT,
    window_end   TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    window_seq   INTEGER NOT NULL DEFAULT 0,
    review_at    TEXT,
    released_at  TEXT
) STRICT;
INSERT INTO releases_new (id, product, version, title, summary, state, cycle, manager_id, window_start, window_end,
    created_at, updated_at, window_seq, review_at, released_at)
SELECT id, product, version, title, summary, state, cycle, manager_id, window_start, window_end,
    created_at, updated_at, window_seq, review_at, released_at FROM releases;
DROP TABLE releases;
ALTER TABLE releases_new RENAME TO releases;
CREATE INDEX releases_state ON releases (state, updated_at);
CREATE UNIQUE INDEX releases_live_version ON releases (product, version) WHERE state <> 'cancelled';
CREATE INDEX releases_version ON releases (product, version, id);
CREATE TRIGGER releases_shipped AFTER UPDATE OF state ON releases
WHEN NEW.state = 'released' AND OLD.state <> 'released'
BEGIN UPDATE releases SET released_at = NEW.updated_at WHERE id = NEW.id; END;
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
-- Going back fails while two releases share a version; cancel the newer
-- one's life by hand first.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE releases_old (
    id           INTEGER PRIMARY KEY,
    product      TEXT NOT NULL,
    version      TEXT NOT NULL,
    title        TEXT NOT NULL,
    summary      TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL,
    cycle        INTEGER NOT NULL DEFAULT 1,
    manager_id   INTEGER REFERENCES users (id),
    window_start TEXT,
    window_end   TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    window_seq   INTEGER NOT NULL DEFAULT 0,
    review_at    TEXT,
    released_at  TEXT,
    UNIQUE (product, version)
) STRICT;
INSERT INTO releases_old SELECT id, product, version, title, summary, state, cycle, manager_id, window_start, window_end,
    created_at, updated_at, window_seq, review_at, released_at FROM releases;
DROP TABLE releases;
ALTER TABLE releases_old RENAME TO releases;
CREATE INDEX releases_state ON releases (state, updated_at);
CREATE TRIGGER releases_shipped AFTER UPDATE OF state ON releases
WHEN NEW.state = 'released' AND OLD.state <> 'released'
BEGIN UPDATE releases SET released_at = NEW.updated_at WHERE id = NEW.id; END;
COMMIT;
PRAGMA foreign_keys = ON;
