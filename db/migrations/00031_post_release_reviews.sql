-- +goose Up
-- A release's post-release review: how it turned out in production, what
-- happened, links that tell more, and who recorded it when. One per
-- release, never edited once recorded.
CREATE TABLE post_release_reviews (
    id          INTEGER PRIMARY KEY,
    release_id  INTEGER NOT NULL UNIQUE REFERENCES releases (id) ON DELETE CASCADE,
    outcome     TEXT NOT NULL CHECK (outcome IN ('clean', 'degraded', 'incident', 'rolled-back')),
    summary     TEXT NOT NULL,
    links       TEXT NOT NULL DEFAULT '[]', -- JSON array of http(s) links
    recorded_by_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
) STRICT;

-- Each follow-up of a review becomes a required readiness item of the
-- product's next release (release_id, item_id); both are NULL while it
-- waits for that release to be created, and item_id goes NULL if its item
-- is removed from that checklist.
CREATE TABLE post_release_followups (
    id         INTEGER PRIMARY KEY,
    review_id  INTEGER NOT NULL REFERENCES post_release_reviews (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    text       TEXT NOT NULL,
    owner_role TEXT NOT NULL,
    product    TEXT NOT NULL, -- the product whose next release carries it
    release_id INTEGER REFERENCES releases (id) ON DELETE SET NULL,
    item_id    INTEGER REFERENCES items (id) ON DELETE SET NULL
) STRICT;
CREATE INDEX post_release_followups_review ON post_release_followups (review_id, position);
-- The follow-ups waiting for a product's next release, read at each release created.
CREATE INDEX post_release_followups_waiting ON post_release_followups (product) WHERE release_id IS NULL;

-- A review is a record, as a decision is: never edited, never deleted.
-- Its follow-ups change only where they went.
-- +goose StatementBegin
CREATE TRIGGER post_release_reviews_never_edited BEFORE UPDATE ON post_release_reviews
BEGIN SELECT RAISE(ABORT, 'post-release reviews are never edited'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER post_release_reviews_never_deleted BEFORE DELETE ON post_release_reviews
BEGIN SELECT RAISE(ABORT, 'post-release reviews are never deleted'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER post_release_followups_kept BEFORE UPDATE OF review_id, position, text, owner_role, product ON post_release_followups
BEGIN SELECT RAISE(ABORT, 'follow-ups of a post-release review are never edited'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER post_release_followups_never_deleted BEFORE DELETE ON post_release_followups
BEGIN SELECT RAISE(ABORT, 'follow-ups of a post-release review are never deleted'); END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER post_release_followups_never_deleted;
DROP TRIGGER post_release_followups_kept;
DROP TRIGGER post_release_reviews_never_deleted;
DROP TRIGGER post_release_reviews_never_edited;
DROP TABLE post_release_followups;
DROP TABLE post_release_reviews;
