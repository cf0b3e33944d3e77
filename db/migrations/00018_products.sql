-- +goose Up
-- Products are things: a key (the one in URLs and the API, unchanged for
-- existing releases), a name, a description and an owner team. An archived
-- product's releases stay readable; it takes no new ones. Every product a
-- release already names becomes one, named after its key.
CREATE TABLE products (
    key         TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    owner_team  TEXT NOT NULL DEFAULT '',
    archived_at TEXT,
    created_at  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO products (key, name, created_at)
SELECT product, product, min(created_at) FROM releases GROUP BY product;

-- A role is held for one product, or for every product (product ''). The
-- roles held until now were held for every product, and still are. A role
-- is given by hand (an admin) or by a group of the company's identity
-- provider (source 'group'), which takes it away when the group goes.
CREATE TABLE user_roles_new (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT NOT NULL,
    product TEXT NOT NULL DEFAULT '',
    source  TEXT NOT NULL DEFAULT 'hand' CHECK (source IN ('hand', 'group')),
    PRIMARY KEY (user_id, role, product)
) STRICT, WITHOUT ROWID;
INSERT INTO user_roles_new (user_id, role, product) SELECT user_id, role, '' FROM user_roles;
DROP TABLE user_roles;
ALTER TABLE user_roles_new RENAME TO user_roles;
-- Who may sign for a product's role: the holders of the role for the
-- product and for every product.
CREATE INDEX user_roles_by_role ON user_roles (role, product);

-- +goose Down
CREATE TABLE user_roles_old (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
) STRICT, WITHOUT ROWID;
INSERT OR IGNORE INTO user_roles_old (user_id, role) SELECT user_id, role FROM user_roles;
DROP TABLE user_roles;
ALTER TABLE user_roles_old RENAME TO user_roles;
DROP TABLE products;
