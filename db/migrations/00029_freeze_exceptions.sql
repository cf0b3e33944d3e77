-- +goose Up
-- Freeze exceptions (gonogo.FreezeException): one release let past one
-- freeze until a set time, once two people other than the requester
-- approved. A freeze may be removed; its exceptions stay on the record
-- with its name, so freeze_id is not a foreign key. At most one live (not
-- revoked) exception per release and freeze.
CREATE TABLE freeze_exceptions (
    id              INTEGER PRIMARY KEY,
    release_id      INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    freeze_id       INTEGER NOT NULL,
    freeze_name     TEXT NOT NULL,
    requested_by_id INTEGER NOT NULL,
    requested_by    TEXT NOT NULL,
    reason          TEXT NOT NULL,
    until           TEXT NOT NULL,
    requested_at    TEXT NOT NULL,
    revoked_by_id   INTEGER NOT NULL DEFAULT 0,
    revoked_by      TEXT NOT NULL DEFAULT '',
    revoked_at      TEXT,
    revoke_reason   TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE UNIQUE INDEX freeze_exceptions_live ON freeze_exceptions (release_id, freeze_id) WHERE revoked_at IS NULL;
CREATE INDEX freeze_exceptions_freeze ON freeze_exceptions (freeze_id, id);

-- One row per approval; one person approves an exception once.
CREATE TABLE freeze_exception_approvals (
    exception_id INTEGER NOT NULL REFERENCES freeze_exceptions (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    name         TEXT NOT NULL,
    comment      TEXT NOT NULL,
    senior       INTEGER NOT NULL,
    at           TEXT NOT NULL,
    PRIMARY KEY (exception_id, user_id)
) STRICT;

-- +goose Down
DROP TABLE freeze_exception_approvals;
DROP TABLE freeze_exceptions;
