package db

import (
	"context"
	"database/sql"
	"errors"

	"github.com/gonogo/gonogo"
)

// TemplateItem is one item of the checklist template.
type TemplateItem struct {
	ID int64
	gonogo.ItemInput
	Position int
}

// seedTemplate fills the template with the defaults the first time the
// database opens. A flag remembers it, so an admin who empties the template
// does not see it come back.
func (s *Store) seedTemplate(ctx context.Context) error {
	return s.inTx(ctx, func(tx *Tx) error {
		var v string
		err := tx.QueryRow(`SELECT value FROM settings WHERE key = 'template_seeded'`).Scan(&v)
		if err == nil {
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		for i, in := range gonogo.DefaultTemplate() {
			if err := tx.insertTemplateItem(in, i+1); err != nil {
				return err
			}
		}
		_, err = tx.Exec(`INSERT INTO settings (key, value) VALUES ('template_seeded', '1')`)
		return err
	})
}

func (tx *Tx) insertTemplateItem(in gonogo.ItemInput, pos int) error {
	_, err := tx.Exec(`INSERT INTO template_items (phase, pillar, title, guidance, owner_role, required, check_key, position)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		string(in.Phase), string(in.Pillar), in.Title, in.Guidance, string(in.OwnerRole), boolInt(in.Required), in.CheckKey, pos)
	if isUnique(err) {
		return gonogo.FieldErrorf("check_key", "another template item already reports check %q", in.CheckKey)
	}
	return err
}

// FindTemplate returns the template in order.
func (s *Store) FindTemplate(ctx context.Context) ([]TemplateItem, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, phase, pillar, title, guidance, owner_role, required, check_key, position
		FROM template_items ORDER BY position, id`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanTemplateItem)
}

func scanTemplateItem(sc scanner) (TemplateItem, error) {
	var t TemplateItem
	err := sc.Scan(&t.ID, &t.Phase, &t.Pillar, &t.Title, &t.Guidance, &t.OwnerRole, &t.Required, &t.CheckKey, &t.Position)
	return t, err
}

// AddTemplateItem appends an item to the template.
func (s *Store) AddTemplateItem(ctx context.Context, a gonogo.Actor, in gonogo.ItemInput) error {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *Tx) error {
		var pos int
		if err := tx.QueryRow(`SELECT COALESCE(max(position), 0) + 1 FROM template_items`).Scan(&pos); err != nil {
			return err
		}
		if err := tx.insertTemplateItem(in, pos); err != nil {
			return err
		}
		return tx.record(a, 0, gonogo.TemplateItemAdded(in))
	})
}

// UpdateTemplateItem changes an item of the template. Releases created
// before keep their own copy.
func (s *Store) UpdateTemplateItem(ctx context.Context, a gonogo.Actor, id int64, in gonogo.ItemInput) error {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE template_items SET phase = ?, pillar = ?, title = ?, guidance = ?, owner_role = ?, required = ?, check_key = ?
			WHERE id = ?`, string(in.Phase), string(in.Pillar), in.Title, in.Guidance, string(in.OwnerRole), boolInt(in.Required), in.CheckKey, id)
		if isUnique(err) {
			return gonogo.FieldErrorf("check_key", "another template item already reports check %q", in.CheckKey)
		} else if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return gonogo.Errorf(gonogo.ENOTFOUND, "no template item with id %d", id)
		}
		return tx.record(a, 0, gonogo.TemplateItemChanged(in))
	})
}

// RemoveTemplateItem deletes an item from the template.
func (s *Store) RemoveTemplateItem(ctx context.Context, a gonogo.Actor, id int64) error {
	return s.inTx(ctx, func(tx *Tx) error {
		var title string
		if err := tx.QueryRow(`SELECT title FROM template_items WHERE id = ?`, id).Scan(&title); err != nil {
			return notFound(err, "no template item with id %d", id)
		}
		if _, err := tx.Exec(`DELETE FROM template_items WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.record(a, 0, gonogo.TemplateItemRemoved(title))
	})
}

// MoveTemplateItem moves an item one place up (delta -1) or down (+1) in the template.
func (s *Store) MoveTemplateItem(ctx context.Context, a gonogo.Actor, id int64, delta int) error {
	return s.inTx(ctx, func(tx *Tx) error {
		items, err := tx.templateOrder()
		if err != nil {
			return err
		}
		order, au, moved, err := gonogo.MoveTemplateItem(items, id, delta)
		if err != nil || !moved {
			return err
		}
		for pos, tid := range order {
			if _, err := tx.Exec(`UPDATE template_items SET position = ? WHERE id = ?`, pos+1, tid); err != nil {
				return err
			}
		}
		return tx.record(a, 0, au)
	})
}

func (tx *Tx) templateOrder() ([]int64, error) {
	rows, err := tx.Query(`SELECT id FROM template_items ORDER BY position, id`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanOne[int64])
}
