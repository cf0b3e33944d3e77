-- +goose Up
-- A tracker feeds one product: GitHub (a repository, owner/name), GitLab
-- (a project, group/name) or Jira Cloud (a project key). Each product has
-- at most one of each kind; the webhook's address names both
-- (/hooks/{kind}/{product}), and its secret verifies what arrives there.
-- The rest is the admin's mapping: how an issue names its release, which
-- label or Jira status means verified, which label makes an open pull
-- request a gate reason, and (Jira) which issue types are defects.
CREATE TABLE trackers (
    id             INTEGER PRIMARY KEY,
    product        TEXT NOT NULL REFERENCES products (key) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('github', 'gitlab', 'jira')),
    project        TEXT NOT NULL CHECK (length(project) BETWEEN 1 AND 200),
    secret         TEXT NOT NULL CHECK (length(secret) BETWEEN 16 AND 200),
    release_by     TEXT NOT NULL CHECK (release_by IN ('milestone', 'label', 'fix-version')),
    label_prefix   TEXT NOT NULL DEFAULT 'release:',
    verified       TEXT NOT NULL DEFAULT '',
    required_label TEXT NOT NULL DEFAULT '',
    defect_types   TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    UNIQUE (product, kind)
) STRICT;

-- How a tracker's labels (GitHub, GitLab) or priorities (Jira) name a
-- defect's severity; an issue with none of them is not a defect. Matched
-- without regard to case.
CREATE TABLE tracker_severities (
    tracker_id INTEGER NOT NULL REFERENCES trackers (id) ON DELETE CASCADE,
    match      TEXT NOT NULL COLLATE NOCASE CHECK (length(match) BETWEEN 1 AND 100),
    severity   TEXT NOT NULL CHECK (severity IN ('blocker', 'critical', 'major', 'minor')),
    PRIMARY KEY (tracker_id, match)
) STRICT, WITHOUT ROWID;

-- The deliveries a tracker sent, by its own delivery id, so that one sent
-- again is refused. Kept for a week (gonogo.DeliveryMemory).
CREATE TABLE tracker_deliveries (
    tracker_id  INTEGER NOT NULL REFERENCES trackers (id) ON DELETE CASCADE,
    delivery    TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (tracker_id, delivery)
) STRICT, WITHOUT ROWID;
CREATE INDEX tracker_deliveries_age ON tracker_deliveries (received_at);

-- What a tracker last said of each issue and pull or merge request, at the
-- tracker's own time (updated_at): a delivery older than the row changes
-- nothing. release_id is the release it names, if gonogo has it: the
-- release page lists its open changes, and the notes draft its shipped ones.
CREATE TABLE tracker_items (
    tracker_id INTEGER NOT NULL REFERENCES trackers (id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    type       TEXT NOT NULL CHECK (type IN ('issue', 'change')),
    title      TEXT NOT NULL,
    url        TEXT NOT NULL DEFAULT '',
    state      TEXT NOT NULL CHECK (state IN ('open', 'closed', 'merged', 'deleted')),
    not_planned INTEGER NOT NULL DEFAULT 0 CHECK (not_planned IN (0, 1)),
    labels     TEXT NOT NULL DEFAULT '[]',
    release_id INTEGER REFERENCES releases (id) ON DELETE SET NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tracker_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX tracker_items_release ON tracker_items (release_id, type, state) WHERE release_id IS NOT NULL;

-- A defect a tracker keeps: its tracker and kind (source), the status the
-- tracker last gave it (a QA lead's verified or deferred stands until the
-- tracker's status changes again) and the tracker's time of that change.
-- One defect per tracker issue and release: an issue moved to another
-- release is set aside in the one it left, with the reason.
-- (No REFERENCES: SQLite cannot drop such a column going down; removing a
-- tracker clears its defects' tracker_id in the same transaction, and they
-- stay as defects kept by hand.)
ALTER TABLE defects ADD COLUMN tracker_id INTEGER;
ALTER TABLE defects ADD COLUMN source TEXT NOT NULL DEFAULT '' CHECK (source IN ('', 'github', 'gitlab', 'jira'));
ALTER TABLE defects ADD COLUMN source_status TEXT NOT NULL DEFAULT '';
ALTER TABLE defects ADD COLUMN source_at TEXT;
CREATE UNIQUE INDEX defects_tracker_key ON defects (tracker_id, key, release_id) WHERE tracker_id IS NOT NULL;

-- +goose Down
DROP INDEX defects_tracker_key;
ALTER TABLE defects DROP COLUMN source_at;
ALTER TABLE defects DROP COLUMN source_status;
ALTER TABLE defects DROP COLUMN source;
ALTER TABLE defects DROP COLUMN tracker_id;
DROP TABLE tracker_items;
DROP TABLE tracker_deliveries;
DROP TABLE tracker_severities;
DROP TABLE trackers;
