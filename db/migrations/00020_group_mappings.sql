-- +goose Up
-- An admin maps a group of the company's identity provider to a role, for
-- one product or for every product (product ''), or to admin (admin = 1,
-- no role, no product). Each sign-in through the provider gives the person
-- what their groups map to, and takes away what they no longer map to
-- (db.Tx.syncGroups). Group names are matched exactly, as the provider
-- spells them in the ID token.
CREATE TABLE group_mappings (
    id         INTEGER PRIMARY KEY,
    group_name TEXT NOT NULL,
    role       TEXT NOT NULL DEFAULT '',
    product    TEXT NOT NULL DEFAULT '',
    admin      INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
    created_at TEXT NOT NULL,
    CHECK ((admin = 1 AND role = '' AND product = '') OR (admin = 0 AND role <> '')),
    UNIQUE (group_name, role, product, admin)
) STRICT;

-- How a person's admin flag was given. Roles record it per row
-- (user_roles.source); the admin flag is one column of users that every
-- check of who is an admin reads, so it stays the one answer to "is this
-- person an admin", and admin_source says who gave it: 'hand' (an admin,
-- setup, the demo) or 'group' (a group mapped to admin, at a sign-in).
-- Only a group-given flag is taken away when the group goes; a hand-given
-- one stays whatever the groups say, and a group mapped to admin leaves a
-- hand-given flag hand-given. A separate table would do as well, but would
-- have to be kept in step with users.admin by every path that changes it;
-- here the trigger below does that in one place.
ALTER TABLE users ADD COLUMN admin_source TEXT NOT NULL DEFAULT 'hand' CHECK (admin_source IN ('hand', 'group'));

-- admin_source means something only while admin is 1: when the flag goes,
-- by any path (an admin's form, the sqlite3 shell), the source goes back
-- to 'hand', so that a flag given by hand later is never taken for a
-- group's and taken away at a sign-in.
-- +goose StatementBegin
CREATE TRIGGER users_admin_source AFTER UPDATE OF admin ON users
WHEN NEW.admin = 0 AND NEW.admin_source <> 'hand'
BEGIN
    UPDATE users SET admin_source = 'hand' WHERE id = NEW.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER users_admin_source;
ALTER TABLE users DROP COLUMN admin_source;
DROP TABLE group_mappings;
