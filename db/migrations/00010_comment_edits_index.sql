-- +goose Up
-- A comment's earlier texts are read for each comment a page shows; without
-- this index each read scanned every edit of every comment.
CREATE INDEX comment_edits_comment ON comment_edits (comment_id, id);

-- +goose Down
DROP INDEX comment_edits_comment;
