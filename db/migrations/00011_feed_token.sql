-- +goose Up
-- The personal calendar token becomes the person's feed token: one secret
-- in the addresses of the calendar and of the release notes feeds. Tokens
-- keep their hashes, so calendar addresses already handed out keep working.
ALTER TABLE calendar_tokens RENAME TO feed_tokens;

-- +goose Down
ALTER TABLE feed_tokens RENAME TO calendar_tokens;
