-- +goose Up
-- A webhook's format: the generic JSON payload that every webhook sent
-- until now (and still does), or a chat service's message.
ALTER TABLE webhooks ADD COLUMN format TEXT NOT NULL DEFAULT 'json'
    CHECK (format IN ('json', 'slack', 'teams', 'google-chat', 'mattermost', 'discord'));
-- The products a webhook is limited to, as a JSON array of product keys
-- ([] for every product), like its topics beside it: the list is short,
-- always read whole with its webhook, never searched by product (the
-- dispatcher matches each event in memory), and products are never
-- deleted or renamed, so a child table's foreign key would guard nothing
-- that the store's check when it is written does not.
ALTER TABLE webhooks ADD COLUMN products TEXT NOT NULL DEFAULT '[]'
    CHECK (json_valid(products) AND json_type(products) = 'array');

-- +goose Down
ALTER TABLE webhooks DROP COLUMN products;
ALTER TABLE webhooks DROP COLUMN format;
