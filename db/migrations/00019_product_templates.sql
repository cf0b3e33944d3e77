-- +goose Up
-- Each product may have its own checklist template. The rows of product ''
-- are the global template, which every product uses until an admin
-- customizes its own (a copy of the global one); own_template remembers
-- that choice, so a product whose own template is emptied does not fall
-- back to the global one behind the admin's back.
ALTER TABLE template_items ADD COLUMN product TEXT NOT NULL DEFAULT '';
DROP INDEX template_items_check_key;
CREATE UNIQUE INDEX template_items_check_key ON template_items (product, check_key) WHERE check_key <> '';
CREATE INDEX template_items_product ON template_items (product, position);
ALTER TABLE products ADD COLUMN own_template INTEGER NOT NULL DEFAULT 0;

-- +goose Down
DROP INDEX template_items_product;
DROP INDEX template_items_check_key;
DELETE FROM template_items WHERE product <> '';
ALTER TABLE template_items DROP COLUMN product;
CREATE UNIQUE INDEX template_items_check_key ON template_items (check_key) WHERE check_key <> '';
ALTER TABLE products DROP COLUMN own_template;
