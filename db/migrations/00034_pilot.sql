-- +goose Up
-- The pilot (gonogo.PilotInvite): the people a release manager invites to
-- try a release while it is verifying, each with a personal link that
-- opens only that release's feedback page. Only the SHA-256 of the link's
-- secret is kept. One answer per invitee, the latest; the audit trail
-- keeps every one. The limits are the domain's (gonogo.MaxPilotComment,
-- MaxURLLen, MaxEmailLen).
CREATE TABLE pilot_invites (
    id          INTEGER PRIMARY KEY,
    release_id  INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    email       TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    -- A person of the board invited by their address; NULL for an outside tester.
    user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    token_hash  TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    invited_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    revoked_at  TEXT,
    revoked_by  TEXT NOT NULL DEFAULT '',
    answer      TEXT NOT NULL DEFAULT '' CHECK (answer IN ('', 'works', 'problem')),
    comment     TEXT NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
    link        TEXT NOT NULL DEFAULT '' CHECK (length(link) <= 2000),
    answered_at TEXT,
    -- The defect made of a reported problem.
    defect_id   INTEGER REFERENCES defects (id) ON DELETE SET NULL
) STRICT;
CREATE INDEX pilot_invites_release ON pilot_invites (release_id, id);

-- Boards that have their template already get the verification item the
-- pilot closes, after their other verification items; new boards get it
-- with the default template (gonogo.DefaultTemplate).
UPDATE template_items SET position = position + 1
WHERE product = '' AND position > (SELECT max(position) FROM template_items WHERE product = '' AND phase = 'verification')
  AND EXISTS (SELECT 1 FROM settings WHERE key = 'template_seeded')
  AND NOT EXISTS (SELECT 1 FROM template_items WHERE product = '' AND check_key = 'pilot-confirmed');
INSERT INTO template_items (product, phase, pillar, title, guidance, owner_role, required, check_key, position)
SELECT '', 'verification', '', 'Pilot users confirm the feature works',
       'The pilot group tried the release and says it works; close it looking at their tally.',
       'product-owner', 1, 'pilot-confirmed',
       (SELECT max(position) FROM template_items WHERE product = '' AND phase = 'verification') + 1
WHERE EXISTS (SELECT 1 FROM settings WHERE key = 'template_seeded')
  AND EXISTS (SELECT 1 FROM template_items WHERE product = '' AND phase = 'verification')
  AND NOT EXISTS (SELECT 1 FROM template_items WHERE product = '' AND check_key = 'pilot-confirmed');

-- +goose Down
DELETE FROM template_items WHERE product = '' AND check_key = 'pilot-confirmed';
DROP TABLE pilot_invites;
