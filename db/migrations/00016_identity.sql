-- +goose Up
-- A person at an OpenID provider, known by the provider (issuer) and their
-- subject there, which never changes, linked to the account they sign in to.
-- Later sign-ins find the account by this link before looking at the email.
-- groups are those the provider's last verified ID token named, as a JSON
-- array (at most gonogo.MaxGroups): what group mapping will give roles by.
CREATE TABLE identities (
    issuer       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email        TEXT NOT NULL,
    groups       TEXT NOT NULL DEFAULT '[]',
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
) STRICT, WITHOUT ROWID;
CREATE INDEX identities_user ON identities (user_id, issuer);

-- The ID token a session was signed in with, kept to end the session at
-- the provider too (its end_session_endpoint wants it as id_token_hint). It
-- goes with its session.
CREATE TABLE session_id_tokens (
    id_hash  TEXT PRIMARY KEY REFERENCES sessions (id_hash) ON DELETE CASCADE,
    id_token TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE session_id_tokens;
DROP TABLE identities;
