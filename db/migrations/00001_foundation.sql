-- +goose Up
-- Times are TEXT in UTC, formatted 2006-01-02T15:04:05.000Z so that they sort
-- as strings and stay readable in the sqlite3 shell.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    admin         INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL
) STRICT;

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
) STRICT, WITHOUT ROWID;

-- The session cookie holds a random id; only its SHA-256 is stored, so a copy
-- of the database does not let anyone sign in.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE releases (
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
    UNIQUE (product, version)
) STRICT;
CREATE INDEX releases_state ON releases (state, updated_at);

CREATE TABLE items (
    id         INTEGER PRIMARY KEY,
    release_id INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    phase      TEXT NOT NULL,
    pillar     TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL,
    guidance   TEXT NOT NULL DEFAULT '',
    owner_role TEXT NOT NULL,
    required   INTEGER NOT NULL DEFAULT 1,
    custom     INTEGER NOT NULL DEFAULT 0,
    check_key  TEXT NOT NULL DEFAULT '',
    position   INTEGER NOT NULL DEFAULT 0,
    status     TEXT NOT NULL DEFAULT 'open',
    evidence   TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL DEFAULT '',
    updated_at TEXT
) STRICT;
CREATE INDEX items_release ON items (release_id, phase, position);
CREATE UNIQUE INDEX items_check_key ON items (release_id, check_key) WHERE check_key <> '';

CREATE TABLE template_items (
    id         INTEGER PRIMARY KEY,
    phase      TEXT NOT NULL,
    pillar     TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL,
    guidance   TEXT NOT NULL DEFAULT '',
    owner_role TEXT NOT NULL,
    required   INTEGER NOT NULL DEFAULT 1,
    check_key  TEXT NOT NULL DEFAULT '',
    position   INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX template_items_check_key ON template_items (check_key) WHERE check_key <> '';

-- Append-only. Each event carries a hash over its content and the previous
-- event's hash, so an edit or deletion anywhere breaks the chain.
CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    INTEGER,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    release_id  INTEGER REFERENCES releases (id),
    detail      TEXT NOT NULL DEFAULT '',
    remote_addr TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
) STRICT;
CREATE INDEX audit_events_release ON audit_events (release_id, id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
