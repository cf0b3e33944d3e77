package db

import (
	"github.com/gonogo/gonogo"
)

// The helpers below write the parts of a change that the domain returned.
// They decide nothing: what to write, and whether, is the domain's answer.

// record appends the change's audit event, tags its notice with the
// change's topics and writes the notifications it causes (notify): every
// change passes here, so this is where what people hear is fanned out.
func (tx *Tx) record(a gonogo.Actor, releaseID int64, au gonogo.Audit) error {
	if err := tx.audit(a, releaseID, au); err != nil {
		return err
	}
	tx.tag(au.Topics...)
	return tx.notify(a, releaseID, au.Causes)
}

// dropItems removes the items with the given ids from a release.
func (tx *Tx) dropItems(releaseID int64, ids []int64) error {
	for _, id := range ids {
		if _, err := tx.Exec(`DELETE FROM items WHERE id = ? AND release_id = ?`, id, releaseID); err != nil {
			return err
		}
	}
	return nil
}

// addItems appends items to a release's checklist, after the others, and
// returns their ids; a condition item is linked to sourceID, the vote or
// decision just stored.
func (tx *Tx) addItems(releaseID int64, items []gonogo.Item, sourceID int64) ([]int64, error) {
	var ids []int64
	for _, it := range items {
		res, err := tx.Exec(`INSERT INTO items (release_id, phase, pillar, title, guidance, owner_role, required, custom, check_key,
			status, position, source, source_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(max(position), 0) + 1 FROM items WHERE release_id = ?), ?, ?)`,
			releaseID, string(it.Phase), string(it.Pillar), it.Title, it.Guidance, string(it.OwnerRole), boolInt(it.Required),
			boolInt(it.Custom), it.CheckKey, string(it.Status), releaseID, it.Source, sourceID)
		if err != nil {
			return nil, err
		}
		id, _ := res.LastInsertId()
		ids = append(ids, id)
	}
	return ids, nil
}

// storeItem writes an item's status, evidence and who changed it when.
func (tx *Tx) storeItem(it gonogo.Item) error {
	_, err := tx.Exec(`UPDATE items SET status = ?, evidence = ?, reason = ?, updated_by = ?, updated_at = ? WHERE id = ?`,
		string(it.Status), it.Evidence, it.Reason, it.UpdatedBy, Time(it.UpdatedAt), it.ID)
	return err
}
