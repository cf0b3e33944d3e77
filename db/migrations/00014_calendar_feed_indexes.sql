-- +goose Up
-- Reads that cost what they show, whatever the history (issue 16):
-- the calendar seeks the windows near the dates it shows (a window lasts
-- at most seven days, so the start bounds it), and the feeds walk the
-- shipped releases newest first, of all products or of one, stopping at a
-- page. releases_state (state, updated_at) cannot give the shipped in the
-- order they shipped, so a feed sorted every release that ever shipped.
CREATE INDEX releases_window ON releases (window_start) WHERE window_start IS NOT NULL;
CREATE INDEX releases_shipped ON releases (state, released_at);
CREATE INDEX releases_product_shipped ON releases (product, released_at) WHERE state = 'released';

-- +goose Down
DROP INDEX releases_product_shipped;
DROP INDEX releases_shipped;
DROP INDEX releases_window;
