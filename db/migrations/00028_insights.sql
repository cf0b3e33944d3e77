-- +goose Up
-- What insights read. A release row holds only where a release stands;
-- release_moves keeps every change of state and item_failures every
-- moment an item was set failed, both written by triggers so that no path
-- that changes a release can forget them. release_facts holds what
-- gonogo.FactsOf makes of a release's history, rewritten whenever the
-- release changes state, so a view of a year reads one row per release.
CREATE TABLE release_moves (
    id         INTEGER PRIMARY KEY,
    release_id INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    cycle      INTEGER NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    at         TEXT NOT NULL
) STRICT;
CREATE INDEX release_moves_release ON release_moves (release_id, id);

CREATE TABLE item_failures (
    id         INTEGER PRIMARY KEY,
    release_id INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    cycle      INTEGER NOT NULL,
    title      TEXT NOT NULL,
    check_key  TEXT NOT NULL DEFAULT '',
    at         TEXT NOT NULL
) STRICT;
CREATE INDEX item_failures_release ON item_failures (release_id, id);

CREATE TABLE release_facts (
    release_id INTEGER PRIMARY KEY REFERENCES releases (id) ON DELETE CASCADE,
    product    TEXT NOT NULL,
    last_at    TEXT NOT NULL, -- the latest move: a period reads the facts moved since it began
    facts      TEXT NOT NULL  -- JSON of gonogo.Facts
) STRICT;
CREATE INDEX release_facts_last ON release_facts (last_at);
CREATE INDEX release_facts_product ON release_facts (product, last_at);

-- +goose StatementBegin
CREATE TRIGGER release_moved AFTER UPDATE OF state ON releases WHEN NEW.state IS NOT OLD.state
BEGIN
    INSERT INTO release_moves (release_id, cycle, from_state, to_state, at)
    VALUES (NEW.id, NEW.cycle, OLD.state, NEW.state, NEW.updated_at);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER item_failed AFTER UPDATE OF status ON items
WHEN NEW.status = 'failed' AND OLD.status IS NOT 'failed'
BEGIN
    INSERT INTO item_failures (release_id, cycle, title, check_key, at)
    VALUES (NEW.release_id, (SELECT cycle FROM releases WHERE id = NEW.release_id), NEW.title, NEW.check_key,
            COALESCE(NEW.updated_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
END;
-- +goose StatementEnd

-- The moves of the releases already on the board, read back from the
-- audit trail ("moved from In review to Cancelled ...") and from the
-- decisions (review to Go or No-Go), in the order they happened. Their
-- cycles are counted from the reopenings before them.
INSERT INTO release_moves (release_id, cycle, from_state, to_state, at)
SELECT release_id, 0, from_state, to_state, at FROM (
    SELECT e.release_id, e.at, e.id AS seq,
        CASE
            WHEN e.detail LIKE 'moved from Draft to %' THEN 'draft'
            WHEN e.detail LIKE 'moved from In review to %' THEN 'review'
            WHEN e.detail LIKE 'moved from Go to %' THEN 'go'
            WHEN e.detail LIKE 'moved from No-Go to %' THEN 'no-go'
            WHEN e.detail LIKE 'moved from Deploying to %' THEN 'deploying'
            WHEN e.detail LIKE 'moved from Verifying to %' THEN 'verifying'
            WHEN e.detail LIKE 'moved from Rolled back to %' THEN 'rolled-back'
        END AS from_state,
        CASE
            WHEN e.detail LIKE 'moved from % to In review%' THEN 'review'
            WHEN e.detail LIKE 'moved from % to Deploying%' THEN 'deploying'
            WHEN e.detail LIKE 'moved from % to Verifying%' THEN 'verifying'
            WHEN e.detail LIKE 'moved from % to Released%' THEN 'released'
            WHEN e.detail LIKE 'moved from % to Rolled back%' THEN 'rolled-back'
            WHEN e.detail LIKE 'moved from % to Cancelled%' THEN 'cancelled'
        END AS to_state
    FROM audit_events e
    WHERE e.action = 'release.state' AND e.release_id IS NOT NULL
    UNION ALL
    SELECT d.release_id, d.at, 0, 'review', d.outcome FROM decisions d
)
WHERE from_state IS NOT NULL AND to_state IS NOT NULL
ORDER BY at, seq;

UPDATE release_moves SET cycle = 1 + (
    SELECT count(*) FROM release_moves m
    WHERE m.release_id = release_moves.release_id AND m.id <= release_moves.id
      AND m.to_state = 'review' AND m.from_state IN ('no-go', 'rolled-back'));

-- +goose Down
DROP TRIGGER item_failed;
DROP TRIGGER release_moved;
DROP TABLE release_facts;
DROP TABLE item_failures;
DROP TABLE release_moves;
