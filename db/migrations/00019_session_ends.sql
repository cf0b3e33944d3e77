-- +goose Up
-- session_ends counts the changes that may have ended a session: a session
-- deleted (sign-out, expiry, disable, password change, loss of admin) or a
-- user's disabled, admin or password changed. Triggers keep it, so a
-- change made by any process counts, the sqlite3 shell's too. A live
-- stream reads this one row at its heartbeat rather than its own session:
-- a thousand open pages then cost one read after a commit, not a thousand.
CREATE TABLE session_ends (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
) STRICT;
INSERT INTO session_ends (id, n) VALUES (1, 0);

-- +goose StatementBegin
CREATE TRIGGER session_deleted AFTER DELETE ON sessions
BEGIN
    UPDATE session_ends SET n = n + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER session_user_changed AFTER UPDATE OF disabled, admin, password_hash ON users
BEGIN
    UPDATE session_ends SET n = n + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER session_user_deleted AFTER DELETE ON users
BEGIN
    UPDATE session_ends SET n = n + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER session_user_deleted;
DROP TRIGGER session_user_changed;
DROP TRIGGER session_deleted;
DROP TABLE session_ends;
