-- +goose Up
-- The vote that counts for a role is its latest of the cycle, by time then
-- id: one seek of this index per role, however many votes the cycle took.
CREATE INDEX votes_current ON votes (release_id, cycle, role, at, id);

-- +goose Down
DROP INDEX votes_current;
