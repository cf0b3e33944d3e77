package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/gonogo/gonogo"
)

// Alerts that halt: the sources' settings, the products' policies, and
// the alerts each release keeps (see gonogo.ReceiveAlert).

// FindAlertSettings returns how src's alerts are read: its labels and its
// secret's hash, or the defaults while an admin has set nothing.
func (s *Store) FindAlertSettings(ctx context.Context, src gonogo.AlertSource) (gonogo.AlertSettings, error) {
	return alertSettings(ctx, s.read, src)
}

func alertSettings(ctx context.Context, q querier, src gonogo.AlertSource) (gonogo.AlertSettings, error) {
	a := gonogo.NewAlertSettings(src)
	err := q.QueryRowContext(ctx, `SELECT secret_hash, hint, product_label, version_label, updated_at FROM alert_sources WHERE source = ?`,
		string(src)).Scan(&a.SecretHash, &a.Hint, &a.ProductLabel, &a.VersionLabel, (*Time)(&a.UpdatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil
	}
	return a, err
}

// SaveAlertLabels sets the labels that name the product and the version
// in src's alerts, and audits it.
func (s *Store) SaveAlertLabels(ctx context.Context, a gonogo.Actor, src gonogo.AlertSource, in gonogo.AlertLabelsInput) error {
	in.ProductLabel, in.VersionLabel = strings.TrimSpace(in.ProductLabel), strings.TrimSpace(in.VersionLabel)
	if err := in.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`INSERT INTO alert_sources (source, product_label, version_label, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (source) DO UPDATE SET product_label = excluded.product_label, version_label = excluded.version_label,
				updated_at = excluded.updated_at`, string(src), in.ProductLabel, in.VersionLabel, Time(tx.now)); err != nil {
			return err
		}
		return tx.record(a, 0, gonogo.AlertLabelsChanged(src, in))
	})
}

// RenewAlertSecret gives src a new secret and returns it: only its hash
// is kept, so it is shown once. Deliveries with the old one are refused.
func (s *Store) RenewAlertSecret(ctx context.Context, a gonogo.Actor, src gonogo.AlertSource) (string, error) {
	secret := "gna_" + rand.Text()
	err := s.inTx(ctx, func(tx *Tx) error {
		was, err := alertSettings(ctx, txQuerier{tx}, src)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO alert_sources (source, secret_hash, hint, product_label, version_label, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (source) DO UPDATE SET secret_hash = excluded.secret_hash, hint = excluded.hint, updated_at = excluded.updated_at`,
			string(src), gonogo.HashToken(secret), secret[:8], was.ProductLabel, was.VersionLabel, Time(tx.now)); err != nil {
			return err
		}
		return tx.record(a, 0, gonogo.AlertSecretRenewed(src, !was.Configured()))
	})
	return secret, err
}

// FindAlertPolicy returns what product lets an alert do by itself.
func (s *Store) FindAlertPolicy(ctx context.Context, product string) (gonogo.AlertPolicy, error) {
	return alertPolicy(ctx, s.read, product)
}

func alertPolicy(ctx context.Context, q querier, product string) (gonogo.AlertPolicy, error) {
	p := gonogo.AlertPolicy{Product: product}
	err := q.QueryRowContext(ctx, `SELECT rollback_on_critical FROM product_alerts WHERE product = ?`, product).Scan(&p.RollbackOnCritical)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	return p, err
}

// SaveAlertPolicy sets what a product lets an alert do, and audits it
// when it changed.
func (s *Store) SaveAlertPolicy(ctx context.Context, a gonogo.Actor, p gonogo.AlertPolicy) error {
	return s.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.product(p.Product); err != nil {
			return err
		}
		was, err := alertPolicy(ctx, txQuerier{tx}, p.Product)
		if err != nil || was == p {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO product_alerts (product, rollback_on_critical) VALUES (?, ?)
			ON CONFLICT (product) DO UPDATE SET rollback_on_critical = excluded.rollback_on_critical`,
			p.Product, boolInt(p.RollbackOnCritical)); err != nil {
			return err
		}
		return tx.record(a, 0, gonogo.AlertPolicyChanged(p))
	})
}

const alertColumns = `a.id, a.source, a.fingerprint, a.release_id, a.status, a.name, a.severity, a.summary, a.url,
	a.starts_at, a.ends_at, a.updated_at`

func scanAlert(sc scanner) (gonogo.Alert, error) {
	var a gonogo.Alert
	err := sc.Scan(&a.ID, &a.Source, &a.Fingerprint, &a.ReleaseID, &a.Status, &a.Name, &a.Severity, &a.Summary, &a.URL,
		(*Time)(&a.StartsAt), (*Time)(&a.EndsAt), (*Time)(&a.UpdatedAt))
	return a, err
}

// FindReleaseAlerts returns the alerts a release kept, those still firing
// first, then the newest: at most limit.
func (s *Store) FindReleaseAlerts(ctx context.Context, releaseID int64, limit int) ([]gonogo.Alert, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+alertColumns+` FROM alerts a WHERE a.release_id = ?
		ORDER BY a.status = 'firing' DESC, a.id DESC LIMIT ?`, releaseID, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAlert)
}

// FindFiringAlerts returns the alerts still firing on a release, oldest
// first: what the gate and a stage's promotion ask (gonogo.AlertHalt).
func (s *Store) FindFiringAlerts(ctx context.Context, releaseID int64) ([]gonogo.Alert, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+alertColumns+` FROM alerts a WHERE a.release_id = ? AND a.status = 'firing'
		ORDER BY a.id LIMIT ?`, releaseID, gonogo.MaxReleaseAlerts)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAlert)
}

// AlertOutcome is what one alert of a delivery did.
type AlertOutcome struct {
	Name        string   `json:"name"`
	Fingerprint string   `json:"fingerprint"`
	Product     string   `json:"product,omitempty"`
	Outcome     string   `json:"outcome"`
	Releases    []string `json:"releases,omitempty"`
	RolledBack  []string `json:"rolled_back,omitempty"`
	Message     string   `json:"message"`
}

// Outcomes of an alert that reached no release.
const (
	AlertNoLabel        = "no-product-label"
	AlertUnknownProduct = "unknown-product"
	AlertNoRelease      = "no-release"
	AlertNeverFired     = "never-fired"
)

// maxWatched bounds the releases of one product an alert reaches: a
// product deploys one release at a time, a few at most.
const maxWatched = 10

// ReceiveAlerts applies a verified delivery of src, all or none: each
// firing alert reaches the releases of its product being deployed or
// verified (the one its version names, when it names one), each resolved
// alert the releases that kept it firing. What each does is
// gonogo.ReceiveAlert's, audited as the integration.
func (s *Store) ReceiveAlerts(ctx context.Context, src gonogo.AlertSource, set gonogo.AlertSettings, alerts []gonogo.IncomingAlert) ([]AlertOutcome, error) {
	var out []AlertOutcome
	err := s.inTx(ctx, func(tx *Tx) error {
		out = nil
		for _, in := range alerts {
			o, err := tx.receiveAlert(ctx, src, set, in)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	return out, err
}

func (tx *Tx) receiveAlert(ctx context.Context, src gonogo.AlertSource, set gonogo.AlertSettings, in gonogo.IncomingAlert) (AlertOutcome, error) {
	target := set.Target(in)
	out := AlertOutcome{Name: in.Name, Fingerprint: in.Fingerprint, Product: target.Product}
	ids, err := tx.alertReleases(src, set, in, target, &out)
	if err != nil || len(ids) == 0 {
		return out, err
	}
	for _, id := range ids {
		rel, err := tx.release(id)
		if err != nil {
			return out, err
		}
		res, err := tx.receiveOne(ctx, src, rel, in)
		if err != nil {
			return out, err
		}
		if out.Outcome == "" || res.Store {
			out.Outcome = res.Outcome
		}
		out.Releases = append(out.Releases, rel.Name())
		if res.Rollback {
			rolled, err := tx.rollBackOnAlert(ctx, src, rel, res.Alert)
			if err != nil {
				return out, err
			}
			if rolled {
				out.RolledBack = append(out.RolledBack, rel.Name())
			}
		}
	}
	out.Message = fmt.Sprintf("%s %s on %s", in.Name, out.Outcome, strings.Join(out.Releases, ", "))
	if len(out.RolledBack) > 0 {
		out.Message += "; rolled back " + strings.Join(out.RolledBack, ", ")
	}
	return out, nil
}

// alertReleases are the releases an alert reaches, by id; when none, out
// says why.
func (tx *Tx) alertReleases(src gonogo.AlertSource, set gonogo.AlertSettings, in gonogo.IncomingAlert, target gonogo.AlertTarget, out *AlertOutcome) ([]int64, error) {
	if in.Status == gonogo.AlertResolved {
		rows, err := tx.Query(`SELECT DISTINCT release_id FROM alerts WHERE source = ? AND fingerprint = ? AND status = 'firing'
			ORDER BY release_id LIMIT ?`, string(src), in.Fingerprint, maxWatched)
		if err != nil {
			return nil, err
		}
		ids, err := collect(rows, scanOne[int64])
		if err != nil || len(ids) > 0 {
			return ids, err
		}
	}
	if target.Product == "" {
		out.Outcome = AlertNoLabel
		out.Message = fmt.Sprintf("%s carries no %s label: gonogo cannot tell its product; nothing changed", in.Name, set.ProductLabel)
		return nil, nil
	}
	if _, err := tx.product(target.Product); gonogo.ErrorCode(err) == gonogo.ENOTFOUND {
		out.Outcome = AlertUnknownProduct
		out.Message = fmt.Sprintf("%s names product %q by its %s label, and gonogo has no such product", in.Name, target.Product, set.ProductLabel)
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if in.Status == gonogo.AlertResolved {
		out.Outcome = AlertNeverFired
		out.Message = fmt.Sprintf("%s resolved, and no release kept it firing; nothing changed", in.Name)
		return nil, nil
	}
	query := `SELECT id FROM releases WHERE product = ? AND state IN ('deploying', 'verifying')`
	args := []any{target.Product}
	if target.Version != "" {
		query += ` AND version = ?`
		args = append(args, target.Version)
	}
	rows, err := tx.Query(query+` ORDER BY id LIMIT ?`, append(args, maxWatched)...)
	if err != nil {
		return nil, err
	}
	ids, err := collect(rows, scanOne[int64])
	if err == nil && len(ids) == 0 {
		out.Outcome = AlertNoRelease
		what := "no release of " + target.Product + " is"
		if target.Version != "" {
			what = target.Product + " " + target.Version + " is not"
		}
		out.Message = fmt.Sprintf("%s fired, and %s being deployed or verified; nothing changed", in.Name, what)
	}
	return ids, err
}

// receiveOne writes what the alert does to one release.
func (tx *Tx) receiveOne(ctx context.Context, src gonogo.AlertSource, rel gonogo.Release, in gonogo.IncomingAlert) (gonogo.AlertResult, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+itemColumns+` FROM items i WHERE i.release_id = ? AND i.phase = 'verification'
		ORDER BY i.position, i.id`, rel.ID)
	if err != nil {
		return gonogo.AlertResult{}, err
	}
	items, err := collect(rows, scanItem)
	if err != nil {
		return gonogo.AlertResult{}, err
	}
	var was *gonogo.Alert
	a, err := scanAlert(tx.QueryRow(`SELECT `+alertColumns+` FROM alerts a WHERE a.source = ? AND a.fingerprint = ? AND a.release_id = ?
		ORDER BY a.status = 'firing' DESC, a.starts_at DESC, a.id DESC LIMIT 1`, string(src), in.Fingerprint, rel.ID))
	switch {
	case err == nil:
		was = &a
	case !errors.Is(err, sql.ErrNoRows):
		return gonogo.AlertResult{}, err
	}
	policy, err := alertPolicy(ctx, txQuerier{tx}, rel.Product)
	if err != nil {
		return gonogo.AlertResult{}, err
	}
	res := gonogo.ReceiveAlert(src, rel, items, was, in, policy, tx.now)
	if !res.Store {
		return res, nil
	}
	al := res.Alert
	if al.ID != 0 {
		_, err = tx.Exec(`UPDATE alerts SET status = ?, ends_at = ?, updated_at = ? WHERE id = ?`, string(al.Status), Time(al.EndsAt),
			Time(al.UpdatedAt), al.ID)
	} else {
		var r sql.Result
		r, err = tx.Exec(`INSERT INTO alerts (source, fingerprint, release_id, status, name, severity, summary, url, starts_at, ends_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(al.Source), al.Fingerprint, al.ReleaseID, string(al.Status), al.Name,
			al.Severity, al.Summary, al.URL, Time(al.StartsAt), Time(al.EndsAt), Time(al.UpdatedAt))
		if err == nil {
			res.Alert.ID, _ = r.LastInsertId()
		}
	}
	if err != nil {
		return res, err
	}
	if res.Item != nil {
		if err := tx.storeItem(*res.Item); err != nil {
			return res, err
		}
	}
	if err := tx.touchRelease(rel.ID); err != nil {
		return res, err
	}
	return res, tx.record(src.Actor(), rel.ID, res.Audit)
}

// rollBackOnAlert rolls a release back as its product's policy asks of a
// critical alert: the transition people take, audited as the alert. A
// release that can no longer roll back (it moved in the meantime) stays.
func (tx *Tx) rollBackOnAlert(ctx context.Context, src gonogo.AlertSource, rel gonogo.Release, a gonogo.Alert) (bool, error) {
	snap, err := tx.snapshot(ctx, rel.ID)
	if err != nil {
		return false, err
	}
	res, err := gonogo.AlertRollback(src, snap, a, tx.now)
	if gonogo.ErrorCode(err) == gonogo.ECONFLICT {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return true, tx.applyTransition(ctx, src.Actor(), rel.ID, res)
}
