-- +goose Up
-- API tokens for pipelines. Only the SHA-256 of the secret is stored, so a
-- copy of the database does not let anyone call the API.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    product      TEXT NOT NULL DEFAULT '', -- '' for every product
    hash         TEXT NOT NULL UNIQUE,
    hint         TEXT NOT NULL,            -- the first characters, to tell tokens apart
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT,
    revoked_by   TEXT NOT NULL DEFAULT ''
) STRICT;
-- A name says which pipeline acted in the audit trail, so two working
-- tokens may not share one; a revoked token's name may be used again.
CREATE UNIQUE INDEX api_tokens_name ON api_tokens (name) WHERE revoked_at IS NULL;

-- Outgoing webhooks. The secret is kept as is: it signs every delivery.
CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    topics     TEXT NOT NULL, -- JSON array of topics
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

-- Each notice sent, or to be sent, to each webhook: the queue and the
-- delivery log at once. The body is stored so that a retry sends the very
-- same bytes with the very same signature.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        INTEGER NOT NULL REFERENCES audit_events (id),
    topics          TEXT NOT NULL, -- JSON array of topics
    body            BLOB NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    status_code     INTEGER NOT NULL DEFAULT 0,
    error           TEXT NOT NULL DEFAULT '',
    next_attempt_at TEXT,
    last_attempt_at TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (webhook_id, event_id)
) STRICT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, id);
