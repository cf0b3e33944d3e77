-- +goose Up
-- Known issues: a blocker or critical defect a release ships with, set
-- aside (deferred or won't fix) before it shipped. The store keeps the
-- rows in step with every change of a defect's status, in the same
-- transaction; the workaround is written by the QA or support lead. A
-- later release of the product that verifies a defect with the same
-- tracker key fixes it (fixed_by_*).
CREATE TABLE known_issues (
    id                  INTEGER PRIMARY KEY,
    release_id          INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    defect_id           INTEGER NOT NULL UNIQUE REFERENCES defects (id) ON DELETE CASCADE,
    title               TEXT NOT NULL,
    tracker_key         TEXT NOT NULL DEFAULT '',
    url                 TEXT NOT NULL DEFAULT '',
    severity            TEXT NOT NULL,
    workaround          TEXT NOT NULL DEFAULT '' CHECK (length(workaround) <= 8000),
    fixed_by_release_id INTEGER REFERENCES releases (id) ON DELETE SET NULL,
    fixed_by_defect_id  INTEGER REFERENCES defects (id) ON DELETE SET NULL,
    created_at          TEXT NOT NULL,
    updated_by          TEXT NOT NULL DEFAULT '',
    updated_at          TEXT
) STRICT;
CREATE INDEX known_issues_release ON known_issues (release_id, id);
-- A verified defect looks for the known issues it fixes by key.
CREATE INDEX known_issues_key ON known_issues (tracker_key COLLATE NOCASE) WHERE tracker_key <> '';
CREATE INDEX known_issues_fixed_by ON known_issues (fixed_by_release_id) WHERE fixed_by_release_id IS NOT NULL;
CREATE INDEX known_issues_fixed_by_defect ON known_issues (fixed_by_defect_id) WHERE fixed_by_defect_id IS NOT NULL;

-- What the support lead confirmed with a Go: one row per such vote, JSON
-- of gonogo.SupportConfirmation. Votes are never edited, and so neither is
-- this.
CREATE TABLE support_confirmations (
    vote_id    INTEGER PRIMARY KEY REFERENCES votes (id) ON DELETE CASCADE,
    release_id INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    confirmed  TEXT NOT NULL
) STRICT;
CREATE TRIGGER support_confirmations_never_edited BEFORE UPDATE ON support_confirmations
BEGIN SELECT RAISE(ABORT, 'support confirmations are never edited'); END;

-- +goose Down
DROP TABLE support_confirmations;
DROP TABLE known_issues;
