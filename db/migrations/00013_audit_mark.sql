-- +goose Up
-- How far the audit trail has been verified (the verified-through mark),
-- so that the audit page hashes only the events written since; and the
-- outcome of the last verification of the whole trail, which the page
-- shows. One row each. Neither is evidence: whoever can rewrite the trail
-- in the file can rewrite these too. Checkpoints, signed with a key kept
-- elsewhere, are what prove.
CREATE TABLE audit_mark (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL, -- the newest event verified
    hash TEXT    NOT NULL, -- its hash when it was verified
    at   TEXT    NOT NULL  -- when the mark last moved
);

CREATE TABLE audit_verification (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    at           TEXT    NOT NULL, -- when it ended
    checked      INTEGER NOT NULL, -- events that verify, from the first
    last         INTEGER NOT NULL, -- the newest event it read
    break_id     INTEGER,          -- where the chain breaks; NULL if it holds
    break_reason TEXT    NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE audit_verification;
DROP TABLE audit_mark;
