package db

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gonogo/gonogo"
)

// deputyColumns reads a deputyship with its people's names and the
// holder's grants of the role as they stand now ('@' before each product,
// so that the empty key of every product is not lost in the list).
const deputyColumns = `d.id, d.holder_id, COALESCE(NULLIF(h.name, ''), h.email), d.deputy_id, COALESCE(NULLIF(p.name, ''), p.email),
	d.role, d.starts_at, d.ends_at, d.ended_at, d.created_at,
	COALESCE((SELECT group_concat('@' || r.product) FROM user_roles r WHERE r.user_id = d.holder_id AND r.role = d.role), '')`

const deputyFrom = ` FROM deputyships d JOIN users h ON h.id = d.holder_id JOIN users p ON p.id = d.deputy_id `

// deputyListLimit bounds every list of deputyships read: more than a
// person may have open (gonogo.MaxOpenDeputyships, gonogo.MaxDeputyFor),
// so the open ones are always among them.
const deputyListLimit = 2 * gonogo.MaxDeputyFor

func scanDeputyship(sc scanner) (gonogo.Deputyship, error) {
	var d gonogo.Deputyship
	var role, products string
	err := sc.Scan(&d.ID, &d.HolderID, &d.HolderName, &d.DeputyID, &d.DeputyName, &role,
		(*Time)(&d.From), (*Time)(&d.Until), (*Time)(&d.EndedAt), (*Time)(&d.CreatedAt), &products)
	d.Role = gonogo.Role(role)
	var gs gonogo.Grants
	for p := range strings.SplitSeq(products, ",") {
		if key, ok := strings.CutPrefix(p, "@"); ok {
			gs = append(gs, gonogo.Grant{Role: d.Role, Product: key})
		}
	}
	d.Grants = gonogo.NewGrants(gs...)
	return d, err
}

// NameDeputy records the deputyship the actor names for one of their
// roles, judged on the actor, the deputy and the open deputyships as they
// are inside the transaction, and audits it.
func (s *Store) NameDeputy(ctx context.Context, a gonogo.Actor, in gonogo.DeputyInput) (gonogo.Deputyship, error) {
	var d gonogo.Deputyship
	err := s.inTx(ctx, func(tx *Tx) error {
		holder, err := scanUser(tx.QueryRow(`SELECT `+userColumns+` FROM users u WHERE u.id = ?`, a.UserID))
		if err != nil {
			return notFound(err, "no user with id %d", a.UserID)
		}
		deputy, err := scanUser(tx.QueryRow(`SELECT `+userColumns+` FROM users u WHERE u.id = ?`, in.DeputyID))
		found := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		open, err := tx.openDeputyships(`d.holder_id = ?`, holder.ID)
		if err != nil {
			return err
		}
		var load int
		if err := tx.QueryRow(`SELECT count(*) FROM deputyships WHERE deputy_id = ? AND ended_at IS NULL AND ends_at > ?`,
			in.DeputyID, Time(tx.now)).Scan(&load); err != nil {
			return err
		}
		var au gonogo.Audit
		if d, au, err = gonogo.NameDeputy(holder, deputy, found, in, open, load, tx.now); err != nil {
			return err
		}
		res, err := tx.Exec(`INSERT INTO deputyships (holder_id, role, deputy_id, starts_at, ends_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			d.HolderID, string(d.Role), d.DeputyID, Time(d.From), Time(d.Until), Time(d.CreatedAt))
		if err != nil {
			return err
		}
		d.ID, _ = res.LastInsertId()
		return tx.record(a, 0, au)
	})
	return d, err
}

// openDeputyships returns the deputyships matching where that are current
// or to come, by beginning.
func (tx *Tx) openDeputyships(where string, args ...any) ([]gonogo.Deputyship, error) {
	rows, err := tx.Query(`SELECT `+deputyColumns+deputyFrom+`WHERE `+where+` AND d.ended_at IS NULL AND d.ends_at > ?
		ORDER BY d.starts_at, d.id LIMIT `+strconv.Itoa(deputyListLimit), append(args, Time(tx.now))...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanDeputyship)
}

// EndDeputyship ends a deputyship early, if the domain lets the actor.
func (s *Store) EndDeputyship(ctx context.Context, a gonogo.Actor, id int64) error {
	return s.inTx(ctx, func(tx *Tx) error {
		d, err := scanDeputyship(tx.QueryRow(`SELECT `+deputyColumns+deputyFrom+`WHERE d.id = ?`, id))
		if err != nil {
			return notFound(err, "no deputyship with id %d", id)
		}
		au, err := gonogo.EndDeputyship(a, d, tx.now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE deputyships SET ended_at = ? WHERE id = ?`, Time(tx.now), id); err != nil {
			return err
		}
		return tx.record(a, 0, au)
	})
}

// FindDeputyships returns the current and upcoming deputyships the holder
// has named, by beginning.
func (s *Store) FindDeputyships(ctx context.Context, holderID int64) ([]gonogo.Deputyship, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+deputyColumns+deputyFrom+`WHERE d.holder_id = ? AND d.ended_at IS NULL AND d.ends_at > ?
		ORDER BY d.starts_at, d.id LIMIT `+strconv.Itoa(deputyListLimit), holderID, Time(s.Now()))
	if err != nil {
		return nil, err
	}
	return collect(rows, scanDeputyship)
}

// lapsedKept is how long after its end a deputyship is still read for its
// deputy, to tell them why they may no longer sign.
const lapsedKept = 30 * 24 * time.Hour

// FindDeputyshipsFor returns the latest deputyships naming deputyID whose
// holder can still sign in: those not ended early first, by end, latest
// first, leaving out those ended long ago. Which are in force is the
// caller's to judge at its own moment: the answer is remembered until the
// next commit (memo), and time moves on without one. What it leaves out
// only grows older, so a remembered answer never lacks one that counts.
func (s *Store) FindDeputyshipsFor(ctx context.Context, deputyID int64) ([]gonogo.Deputyship, error) {
	return remember(ctx, s, "deputyships for "+strconv.FormatInt(deputyID, 10), func(ctx context.Context) ([]gonogo.Deputyship, error) {
		rows, err := s.read.QueryContext(ctx, `SELECT `+deputyColumns+deputyFrom+`WHERE d.deputy_id = ? AND d.ends_at > ? AND h.disabled = 0
			ORDER BY d.ended_at IS NULL DESC, d.ends_at DESC, d.id DESC LIMIT `+strconv.Itoa(deputyListLimit),
			deputyID, Time(s.Now().Add(-lapsedKept)))
		if err != nil {
			return nil, err
		}
		return collect(rows, scanDeputyship)
	}, gonogo.CloneAll[gonogo.Deputyship])
}
