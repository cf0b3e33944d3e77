package db

import (
	"context"
	"database/sql"

	"github.com/gonogo/gonogo"
)

const itemColumns = `i.id, i.release_id, i.phase, i.pillar, i.title, i.guidance, i.owner_role, i.required, i.custom,
	i.check_key, i.position, i.status, i.evidence, i.reason, i.updated_by, i.updated_at, i.source, i.source_id`

func scanItem(sc interface{ Scan(...any) error }) (gonogo.Item, error) {
	var it gonogo.Item
	var updated sql.NullString
	err := sc.Scan(&it.ID, &it.ReleaseID, &it.Phase, &it.Pillar, &it.Title, &it.Guidance, &it.OwnerRole,
		&it.Required, &it.Custom, &it.CheckKey, &it.Position, &it.Status, &it.Evidence, &it.Reason, &it.UpdatedBy, &updated, &it.Source, &it.SourceID)
	it.UpdatedAt = parseNullTime(updated)
	return it, err
}

// FindItems returns the checklist of a release in page order.
func (s *Store) FindItems(ctx context.Context, releaseID int64) ([]gonogo.Item, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+itemColumns+` FROM items i WHERE i.release_id = ? ORDER BY i.position, i.id`, releaseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []gonogo.Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// FindItem returns one checklist item.
func (s *Store) FindItem(ctx context.Context, id int64) (gonogo.Item, error) {
	it, err := scanItem(s.read.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM items i WHERE i.id = ?`, id))
	return it, notFound(err, "no checklist item with id %d", id)
}

// ItemFunc decides, from the release and the item as they are inside the
// transaction, what the item becomes, or refuses with an error.
type ItemFunc func(rel gonogo.Release, it gonogo.Item) (gonogo.Item, error)

// UpdateItem changes one item of releaseID through fn, atomically with the
// release's current state, and audits the change.
func (s *Store) UpdateItem(ctx context.Context, a gonogo.Actor, releaseID, id int64, fn ItemFunc) (gonogo.Item, error) {
	var out gonogo.Item
	err := s.inTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.updateItem(a, releaseID, id, fn)
		return err
	})
	return out, err
}

func (tx *Tx) updateItem(a gonogo.Actor, releaseID, id int64, fn ItemFunc) (out gonogo.Item, err error) {
	err = func() error {
		rel, it, err := tx.releaseItem(releaseID, id)
		if err != nil {
			return err
		}
		next, err := fn(rel, it)
		if err != nil {
			return err
		}
		next.UpdatedAt = tx.now // the transaction's clock is the record's
		if _, err := tx.Exec(`UPDATE items SET status = ?, evidence = ?, reason = ?, updated_by = ?, updated_at = ? WHERE id = ?`,
			string(next.Status), next.Evidence, next.Reason, next.UpdatedBy, nullTime(next.UpdatedAt), id); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE releases SET updated_at = ? WHERE id = ?`, fmtTime(tx.now), releaseID); err != nil {
			return err
		}
		out = next
		detail := ""
		switch {
		case next.Status == gonogo.ItemNA:
			detail = ": " + next.Reason
		case next.Evidence != "" && next.Evidence != it.Evidence:
			detail = ", evidence " + next.Evidence
		}
		if err := tx.audit(a, "item.status", releaseID, "set %q %s (was %s)%s", it.Title, next.Status, it.Status, detail); err != nil {
			return err
		}
		if next.Status == gonogo.ItemFailed && next.CheckKey != "" && it.Status != gonogo.ItemFailed {
			tx.tag(gonogo.TopicCheckFailed)
		}
		return nil
	}()
	return out, err
}

func (tx *Tx) releaseItem(releaseID, id int64) (gonogo.Release, gonogo.Item, error) {
	rel, err := scanRelease(tx.QueryRow(`SELECT `+releaseColumns+releaseFrom+`WHERE r.id = ?`, releaseID))
	if err != nil {
		return rel, gonogo.Item{}, notFound(err, "no release with id %d", releaseID)
	}
	it, err := scanItem(tx.QueryRow(`SELECT `+itemColumns+` FROM items i WHERE i.id = ? AND i.release_id = ?`, id, releaseID))
	if err != nil {
		return rel, it, notFound(err, "release %s has no checklist item %d", rel.Name(), id)
	}
	return rel, it, nil
}

// AddItem adds a custom item to a release's checklist, after the others of its phase.
func (s *Store) AddItem(ctx context.Context, a gonogo.Actor, releaseID int64, in gonogo.ItemInput) (gonogo.Item, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return gonogo.Item{}, err
	}
	var id int64
	err := s.inTx(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.addItem(a, releaseID, in)
		return err
	})
	if err != nil {
		return gonogo.Item{}, err
	}
	return s.FindItem(ctx, id)
}

func (tx *Tx) addItem(a gonogo.Actor, releaseID int64, in gonogo.ItemInput) (int64, error) {
	rel, err := scanRelease(tx.QueryRow(`SELECT `+releaseColumns+releaseFrom+`WHERE r.id = ?`, releaseID))
	if err != nil {
		return 0, notFound(err, "no release with id %d", releaseID)
	}
	if err := gonogo.ItemEditable(rel.State, in.Phase); err != nil {
		return 0, err
	}
	res, err := tx.Exec(`INSERT INTO items (release_id, phase, pillar, title, guidance, owner_role, required, custom, check_key, position)
		VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, (SELECT COALESCE(max(position), 0) + 1 FROM items WHERE release_id = ?))`,
		releaseID, string(in.Phase), string(in.Pillar), in.Title, in.Guidance, string(in.OwnerRole), boolInt(in.Required), in.CheckKey, releaseID)
	if isUnique(err) {
		return 0, gonogo.FieldErrorf("check_key", "another item of this release already reports check %q", in.CheckKey)
	} else if err != nil {
		return 0, err
	}
	id, _ := res.LastInsertId()
	if _, err := tx.Exec(`UPDATE releases SET updated_at = ? WHERE id = ?`, fmtTime(tx.now), releaseID); err != nil {
		return 0, err
	}
	kind := "advisory"
	if in.Required {
		kind = "required"
	}
	return id, tx.audit(a, "item.add", releaseID, "added %s %s item %q (%s)", kind, in.Phase, in.Title, in.OwnerRole.Label())
}

// RemoveItem takes an advisory or custom item off a release.
func (s *Store) RemoveItem(ctx context.Context, a gonogo.Actor, releaseID, id int64) error {
	return s.inTx(ctx, func(tx *Tx) error {
		rel, it, err := tx.releaseItem(releaseID, id)
		if err != nil {
			return err
		}
		if !it.Removable() {
			return gonogo.Errorf(gonogo.ECONFLICT, "%q is a required item of the template and cannot be removed; mark it n/a with a reason instead", it.Title)
		}
		if err := gonogo.ItemEditable(rel.State, it.Phase); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM items WHERE id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE releases SET updated_at = ? WHERE id = ?`, fmtTime(tx.now), releaseID); err != nil {
			return err
		}
		return tx.audit(a, "item.remove", releaseID, "removed item %q", it.Title)
	})
}
