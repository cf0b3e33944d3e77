-- +goose Up
-- Signed checkpoints of the audit trail are audit events of their own
-- (audit.checkpoint, audit.checkpoint.daily); the admin page lists the
-- latest and the daily job looks up when it last sent one, so events are
-- found by action without reading the whole trail.
CREATE INDEX audit_events_action ON audit_events (action, id);

-- Which person made each API token, so the tokens page can say whether
-- they still work here. created_by stays the name as it was then; tokens
-- made from the command line have no person. Existing tokens take the
-- person from their token.create event, written in the same transaction.
ALTER TABLE api_tokens ADD COLUMN created_by_id INTEGER REFERENCES users (id);
UPDATE api_tokens SET created_by_id = (
    SELECT e.actor_id FROM audit_events e
    WHERE e.action = 'token.create' AND e.at = api_tokens.created_at AND e.actor = api_tokens.created_by
    ORDER BY e.id DESC LIMIT 1);
