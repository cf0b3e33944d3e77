-- +goose Up
-- Phased rollouts. rollout_templates is a product's stage template (empty:
-- its releases deploy in one step); items holds the titles of the stage's
-- verification items as a JSON array. A release created for the product
-- gets a copy in rollout_stages, and each stage's items become required
-- verification items that name their stage (items.stage_id).
CREATE TABLE rollout_templates (
    product      TEXT NOT NULL REFERENCES products (key) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    soak_minutes INTEGER NOT NULL DEFAULT 0,
    items        TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (product, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE rollout_stages (
    id           INTEGER PRIMARY KEY,
    release_id   INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    soak_minutes INTEGER NOT NULL DEFAULT 0,
    started_at   TEXT,
    finished_at  TEXT,
    UNIQUE (release_id, position)
) STRICT;

ALTER TABLE items ADD COLUMN stage_id INTEGER; -- rollout_stages.id; both go with their release
CREATE INDEX items_stage ON items (stage_id) WHERE stage_id IS NOT NULL;

-- +goose Down
DROP INDEX items_stage;
ALTER TABLE items DROP COLUMN stage_id;
DROP TABLE rollout_stages;
DROP TABLE rollout_templates;
