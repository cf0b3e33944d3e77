package db

import (
	"context"
	"unique"

	"github.com/gonogo/gonogo"
)

const itemColumns = `i.id, i.release_id, i.phase, i.pillar, i.title, i.guidance, i.owner_role, i.required, i.custom,
	i.check_key, i.position, i.status, i.evidence, i.reason, i.updated_by, i.updated_at, i.source, i.source_id, COALESCE(i.stage_id, 0)`

func scanItem(sc interface{ Scan(...any) error }) (gonogo.Item, error) {
	var it gonogo.Item
	err := sc.Scan(&it.ID, &it.ReleaseID, &it.Phase, &it.Pillar, &it.Title, &it.Guidance, &it.OwnerRole,
		&it.Required, &it.Custom, &it.CheckKey, &it.Position, &it.Status, &it.Evidence, &it.Reason, &it.UpdatedBy, (*Time)(&it.UpdatedAt), &it.Source, &it.SourceID, &it.StageID)
	// Every release's checklist repeats its template's words, and the read
	// memo keeps the snapshots of hundreds of releases: one copy of each
	// title and guidance serves them all.
	it.Title, it.Guidance = intern(it.Title), intern(it.Guidance)
	it.Phase, it.Pillar, it.OwnerRole = intern(it.Phase), intern(it.Pillar), intern(it.OwnerRole)
	it.Status, it.CheckKey, it.UpdatedBy = intern(it.Status), intern(it.CheckKey), intern(it.UpdatedBy)
	return it, err
}

// intern returns the one copy of s kept for every string equal to it.
func intern[S ~string](s S) S { return S(unique.Make(string(s)).Value()) }

// FindItems returns the checklist of a release in page order.
func (s *Store) FindItems(ctx context.Context, releaseID int64) ([]gonogo.Item, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+itemColumns+` FROM items i WHERE i.release_id = ? ORDER BY i.position, i.id`, releaseID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanItem)
}

// FindItem returns one checklist item.
func (s *Store) FindItem(ctx context.Context, id int64) (gonogo.Item, error) {
	it, err := scanItem(s.read.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM items i WHERE i.id = ?`, id))
	return it, notFound(err, "no checklist item with id %d", id)
}

// UpdateItem changes one item of releaseID as gonogo.ChangeItem makes of c,
// judged on the release and item as they are inside the transaction, and
// audits the change.
func (s *Store) UpdateItem(ctx context.Context, a gonogo.Actor, releaseID, id int64, c gonogo.ItemChange) (gonogo.Item, error) {
	var out gonogo.Item
	err := s.inTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.updateItem(a, releaseID, id, c)
		return err
	})
	return out, err
}

func (tx *Tx) updateItem(a gonogo.Actor, releaseID, id int64, c gonogo.ItemChange) (gonogo.Item, error) {
	rel, it, err := tx.releaseItem(releaseID, id)
	if err != nil {
		return it, err
	}
	res, err := gonogo.ChangeItem(a, rel, it, c, tx.now)
	if err != nil {
		return it, err
	}
	return res.Item, tx.applyItem(a, releaseID, res)
}

// applyItem writes an item change the domain made, touches its release and
// records the audit.
func (tx *Tx) applyItem(a gonogo.Actor, releaseID int64, res gonogo.ItemResult) error {
	if err := tx.storeItem(res.Item); err != nil {
		return err
	}
	if err := tx.touchRelease(releaseID); err != nil {
		return err
	}
	return tx.record(a, releaseID, res.Audit)
}

func (tx *Tx) releaseItem(releaseID, id int64) (gonogo.Release, gonogo.Item, error) {
	rel, err := tx.release(releaseID)
	if err != nil {
		return rel, gonogo.Item{}, err
	}
	it, err := scanItem(tx.QueryRow(`SELECT `+itemColumns+` FROM items i WHERE i.id = ? AND i.release_id = ?`, id, releaseID))
	if err != nil {
		return rel, it, notFound(err, "release %s has no checklist item %d", rel.Name(), id)
	}
	return rel, it, nil
}

// AddItem adds the custom item gonogo.NewItem makes of in to a release's
// checklist, after its other items.
func (s *Store) AddItem(ctx context.Context, a gonogo.Actor, releaseID int64, in gonogo.ItemInput) (gonogo.Item, error) {
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
	rel, err := tx.release(releaseID)
	if err != nil {
		return 0, err
	}
	res, err := gonogo.NewItem(rel, in)
	if err != nil {
		return 0, err
	}
	ids, err := tx.addItems(releaseID, []gonogo.Item{res.Item}, 0)
	if isUnique(err) {
		return 0, gonogo.FieldErrorf("check_key", "another item of this release already reports check %q", res.Item.CheckKey)
	} else if err != nil {
		return 0, err
	}
	id := ids[0]
	if err := tx.touchRelease(releaseID); err != nil {
		return 0, err
	}
	return id, tx.record(a, releaseID, res.Audit)
}

// RemoveItem takes an item off a release, if gonogo.RemoveItem lets it go.
func (s *Store) RemoveItem(ctx context.Context, a gonogo.Actor, releaseID, id int64) error {
	return s.inTx(ctx, func(tx *Tx) error {
		rel, it, err := tx.releaseItem(releaseID, id)
		if err != nil {
			return err
		}
		au, err := gonogo.RemoveItem(rel, it)
		if err != nil {
			return err
		}
		if err := tx.dropItems(releaseID, []int64{id}); err != nil {
			return err
		}
		if err := tx.touchRelease(releaseID); err != nil {
			return err
		}
		return tx.record(a, releaseID, au)
	})
}
