package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/gonogo/gonogo"
)

// The pilot's invitations (gonogo.PilotInvite). Each holds the SHA-256 of
// its link's secret; the secret itself leaves only in the invitation
// mail, written to the outbox in the transaction of the invitation.

// PilotSecretPrefix starts every pilot link's secret, so a leaked one is
// easy to tell from the board's other secrets.
const PilotSecretPrefix = "gnp_"

// PilotPath is the address of the feedback page that secret opens.
func PilotPath(secret string) string { return "/pilot/" + secret }

// newPilotSecret is 256 random bits: nothing to guess, so a plain hash is
// all the store needs to keep.
func newPilotSecret() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand, Go 1.24)
	return PilotSecretPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// PilotLink is one invitation made, with the address of its feedback
// page: for the demo data, which mails nobody. The board shows it nowhere.
type PilotLink struct {
	Email string
	Path  string
}

const pilotColumns = `p.id, p.release_id, p.email, COALESCE(p.user_id, 0), COALESCE(u.name, ''), p.invited_by, p.created_at,
	p.expires_at, p.revoked_at, p.revoked_by, p.answer, p.comment, p.link, p.answered_at, COALESCE(p.defect_id, 0)`

const pilotFrom = ` FROM pilot_invites p LEFT JOIN users u ON u.id = p.user_id `

func scanPilot(sc scanner) (gonogo.PilotInvite, error) {
	var p gonogo.PilotInvite
	err := sc.Scan(&p.ID, &p.ReleaseID, &p.Email, &p.UserID, &p.Name, &p.InvitedBy, (*Time)(&p.CreatedAt),
		(*Time)(&p.ExpiresAt), (*Time)(&p.RevokedAt), &p.RevokedBy, &p.Answer, &p.Comment, &p.Link, (*Time)(&p.AnsweredAt), &p.DefectID)
	return p, err
}

// FindPilot returns a release's invitations, oldest first: at most
// gonogo.MaxPilotInvites, which the domain holds it to.
func (s *Store) FindPilot(ctx context.Context, releaseID int64) ([]gonogo.PilotInvite, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+pilotColumns+pilotFrom+`WHERE p.release_id = ? ORDER BY p.id LIMIT ?`,
		releaseID, gonogo.MaxPilotInvites)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanPilot)
}

func (tx *Tx) pilot(releaseID int64) ([]gonogo.PilotInvite, error) {
	rows, err := tx.Query(`SELECT `+pilotColumns+pilotFrom+`WHERE p.release_id = ? ORDER BY p.id`, releaseID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanPilot)
}

func (tx *Tx) pilotInvite(releaseID, id int64) (gonogo.PilotInvite, error) {
	p, err := scanPilot(tx.QueryRow(`SELECT `+pilotColumns+pilotFrom+`WHERE p.release_id = ? AND p.id = ?`, releaseID, id))
	return p, notFound(err, "no pilot invitation %d on this release", id)
}

// FindPilotByHash returns the invitation whose secret hashes to hash, with
// its release. It looks the hash up by index: the secret is random, so
// there is no timing to learn anything from.
func (s *Store) FindPilotByHash(ctx context.Context, hash string) (gonogo.PilotInvite, gonogo.Release, error) {
	p, err := scanPilot(s.read.QueryRowContext(ctx, `SELECT `+pilotColumns+pilotFrom+`WHERE p.token_hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return p, gonogo.Release{}, gonogo.Errorf(gonogo.ENOTFOUND, "this pilot link is not known: check that it was copied whole")
	} else if err != nil {
		return p, gonogo.Release{}, err
	}
	rel, err := s.FindRelease(ctx, p.ReleaseID)
	return p, rel, err
}

// InvitePilot invites the input's addresses to a release's pilot, as
// gonogo.InvitePilot decides, and puts each invitation mail, with its
// personal link, in the outbox in the same transaction. An address of a
// person of the board invites that person.
func (s *Store) InvitePilot(ctx context.Context, a gonogo.Actor, releaseID int64, in gonogo.PilotInviteInput) ([]PilotLink, error) {
	var links []PilotLink
	err := s.inTx(ctx, func(tx *Tx) error {
		rel, err := tx.release(releaseID)
		if err != nil {
			return err
		}
		have, err := tx.pilot(releaseID)
		if err != nil {
			return err
		}
		invites, au, err := gonogo.InvitePilot(a, rel, have, in, tx.now)
		if err != nil {
			return err
		}
		for _, p := range invites {
			var uid sql.NullInt64
			if err := tx.QueryRow(`SELECT id FROM users WHERE lower(email) = ? AND disabled = 0`, p.Email).Scan(&uid); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			secret := newPilotSecret()
			if _, err := tx.Exec(`INSERT INTO pilot_invites (release_id, email, user_id, token_hash, invited_by, created_at, expires_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, rel.ID, p.Email, uid, gonogo.HashToken(secret), p.InvitedBy, Time(p.CreatedAt), Time(p.ExpiresAt)); err != nil {
				return err
			}
			// To the address given, not the account's: the invitation is
			// for whoever reads that mailbox.
			m := gonogo.Mail{To: p.Email, ReleaseID: rel.ID, Release: rel.Name(), Actor: a.Name,
				Subject: gonogo.PilotInviteSubject(rel), Text: gonogo.PilotInviteText(rel, a.Name, p.ExpiresAt, tx.zone),
				Link: PilotPath(secret)}
			if err := tx.enqueueMail(m); err != nil {
				return err
			}
			links = append(links, PilotLink{Email: p.Email, Path: PilotPath(secret)})
		}
		if err := tx.record(a, rel.ID, au); err != nil {
			return err
		}
		return tx.touchRelease(rel.ID)
	})
	return links, err
}

// RevokePilot stops one invitation's link, as gonogo.RevokePilot decides.
func (s *Store) RevokePilot(ctx context.Context, a gonogo.Actor, releaseID, id int64) error {
	return s.inTx(ctx, func(tx *Tx) error {
		rel, err := tx.release(releaseID)
		if err != nil {
			return err
		}
		p, err := tx.pilotInvite(releaseID, id)
		if err != nil {
			return err
		}
		au, err := gonogo.RevokePilot(a, rel, p)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE pilot_invites SET revoked_at = ?, revoked_by = ? WHERE id = ?`, Time(tx.now), a.Name, id); err != nil {
			return err
		}
		return tx.record(a, rel.ID, au)
	})
}

// AnswerPilot stores a tester's answer through the link whose secret
// hashes to hash, as gonogo.AnswerPilot decides, audited as the tester
// (from remoteAddr). It returns the invitation as stored.
func (s *Store) AnswerPilot(ctx context.Context, hash, remoteAddr string, f gonogo.PilotFeedback) (gonogo.PilotInvite, error) {
	var out gonogo.PilotInvite
	err := s.inTx(ctx, func(tx *Tx) error {
		p, err := scanPilot(tx.QueryRow(`SELECT `+pilotColumns+pilotFrom+`WHERE p.token_hash = ?`, hash))
		if errors.Is(err, sql.ErrNoRows) {
			return gonogo.Errorf(gonogo.ENOTFOUND, "this pilot link is not known: check that it was copied whole")
		} else if err != nil {
			return err
		}
		rel, err := tx.release(p.ReleaseID)
		if err != nil {
			return err
		}
		next, au, err := gonogo.AnswerPilot(rel, p, f, tx.now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE pilot_invites SET answer = ?, comment = ?, link = ?, answered_at = ? WHERE id = ?`,
			string(next.Answer), next.Comment, next.Link, Time(next.AnsweredAt), p.ID); err != nil {
			return err
		}
		out = next
		return tx.record(p.Tester(remoteAddr), rel.ID, au)
	})
	return out, err
}

// MakePilotDefect makes a defect of the problem an invitee reported, as
// gonogo.PilotDefect decides, and links the two; both changes are
// audited. It returns the defect's id.
func (s *Store) MakePilotDefect(ctx context.Context, a gonogo.Actor, releaseID, id int64) (int64, error) {
	var defectID int64
	err := s.inTx(ctx, func(tx *Tx) error {
		rel, err := tx.release(releaseID)
		if err != nil {
			return err
		}
		p, err := tx.pilotInvite(releaseID, id)
		if err != nil {
			return err
		}
		in, au, err := gonogo.PilotDefect(a, rel, p)
		if err != nil {
			return err
		}
		in.Normalize()
		if err := in.Validate(); err != nil {
			return fmt.Errorf("pilot defect: %v", err) // the domain made it: ours to fix
		}
		ids, err := tx.createDefects(a, rel.ID, []gonogo.DefectInput{in})
		if err != nil {
			return err
		}
		defectID = ids[0]
		if _, err := tx.Exec(`UPDATE pilot_invites SET defect_id = ? WHERE id = ?`, defectID, p.ID); err != nil {
			return err
		}
		au.Detail += fmt.Sprintf(": defect #%d", defectID)
		return tx.record(a, rel.ID, au)
	})
	return defectID, err
}

// PilotTallyOf counts the answers of a release's pilot at the store's
// time, for the item the pilot closes.
func (s *Store) PilotTallyOf(ctx context.Context, releaseID int64) (gonogo.PilotTally, error) {
	ps, err := s.FindPilot(ctx, releaseID)
	if err != nil {
		return gonogo.PilotTally{}, err
	}
	return gonogo.TallyPilot(ps, s.Now()), nil
}
