-- +goose Up
-- A release is standard or hotfix, chosen at its creation; the releases
-- made before are standard. review_due is when a hotfix's post-release
-- review falls due, set by its Go.
ALTER TABLE releases ADD COLUMN kind TEXT NOT NULL DEFAULT 'standard' CHECK (kind IN ('standard', 'hotfix'));
ALTER TABLE releases ADD COLUMN review_due TEXT;

-- A product's policy for each kind of release: the roles that must sign
-- off (their names, comma-separated, in the order of the board), how many
-- distinct people must vote Go (never fewer than two), the checklist its
-- releases start with, and for hotfixes the days the post-release review
-- is due within. A product without a row for a kind has the kind's default.
CREATE TABLE product_policies (
    product     TEXT NOT NULL REFERENCES products (key),
    kind        TEXT NOT NULL CHECK (kind IN ('standard', 'hotfix')),
    roles       TEXT NOT NULL CHECK (roles <> ''),
    min_voters  INTEGER NOT NULL CHECK (min_voters >= 2),
    template    TEXT NOT NULL CHECK (template IN ('product', 'hotfix')),
    review_days INTEGER NOT NULL DEFAULT 0 CHECK (review_days BETWEEN 0 AND 30),
    PRIMARY KEY (product, kind)
) STRICT, WITHOUT ROWID;

-- The board reads the hotfixes whose post-release review is still open:
-- only those rows are in this index, however long the history grows.
CREATE INDEX items_open_review ON items (release_id)
    WHERE check_key = 'post-release-review' AND status IN ('open', 'failed');

-- +goose Down
DROP INDEX items_open_review;
DROP TABLE product_policies;
ALTER TABLE releases DROP COLUMN review_due;
ALTER TABLE releases DROP COLUMN kind;
