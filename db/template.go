package db

import (
	"context"
	"database/sql"
	"errors"

	"github.com/gonogo/gonogo"
)

// TemplateItem is one item of a checklist template: the global one
// (Product "") or a product's own.
type TemplateItem struct {
	ID      int64
	Product string
	gonogo.ItemInput
	Position int
}

// Template is the checklist a product's releases start with.
type Template struct {
	// Product is the product whose template this is, "" for the global one.
	Product string
	// Own is false for a product that still uses the global template:
	// then Items are the global template's.
	Own   bool
	Items []TemplateItem
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
			if err := tx.insertTemplateItem("", in, i+1); err != nil {
				return err
			}
		}
		_, err = tx.Exec(`INSERT INTO settings (key, value) VALUES ('template_seeded', '1')`)
		return err
	})
}

func (tx *Tx) insertTemplateItem(product string, in gonogo.ItemInput, pos int) error {
	_, err := tx.Exec(`INSERT INTO template_items (product, phase, pillar, title, guidance, owner_role, required, check_key, position)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		product, string(in.Phase), string(in.Pillar), in.Title, in.Guidance, string(in.OwnerRole), boolInt(in.Required), in.CheckKey, pos)
	if isUnique(err) {
		return gonogo.FieldErrorf("check_key", "another template item already reports check %q", in.CheckKey)
	}
	return err
}

// FindTemplate returns the global template in order: the one new
// products use.
func (s *Store) FindTemplate(ctx context.Context) ([]TemplateItem, error) {
	return s.templateItems(ctx, "")
}

// FindProductTemplate returns the template the product key's releases
// start with: its own, or the global one; key "" is the global one.
func (s *Store) FindProductTemplate(ctx context.Context, key string) (Template, error) {
	t := Template{Product: key, Own: key == ""}
	if key != "" {
		p, err := s.FindProduct(ctx, key)
		if err != nil {
			return Template{}, err
		}
		t.Own = p.OwnTemplate
	}
	var err error
	t.Items, err = s.templateItems(ctx, templateKey(key, t.Own))
	return t, err
}

// templateKey is the product whose rows hold key's template.
func templateKey(key string, own bool) string {
	if own {
		return key
	}
	return ""
}

func (s *Store) templateItems(ctx context.Context, product string) ([]TemplateItem, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+templateColumns+` FROM template_items
		WHERE product = ? ORDER BY position, id`, product)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanTemplateItem)
}

const templateColumns = `id, product, phase, pillar, title, guidance, owner_role, required, check_key, position`

func scanTemplateItem(sc scanner) (TemplateItem, error) {
	var t TemplateItem
	err := sc.Scan(&t.ID, &t.Product, &t.Phase, &t.Pillar, &t.Title, &t.Guidance, &t.OwnerRole, &t.Required, &t.CheckKey, &t.Position)
	return t, err
}

// AddTemplateItem appends an item to the template of product ("" for the
// global one), which must be the product's own.
func (s *Store) AddTemplateItem(ctx context.Context, a gonogo.Actor, product string, in gonogo.ItemInput) error {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *Tx) error {
		if err := tx.checkTemplateEdit(product); err != nil {
			return err
		}
		var pos int
		if err := tx.QueryRow(`SELECT COALESCE(max(position), 0) + 1 FROM template_items WHERE product = ?`, product).Scan(&pos); err != nil {
			return err
		}
		if err := tx.insertTemplateItem(product, in, pos); err != nil {
			return err
		}
		return tx.record(a, 0, gonogo.InTemplate(gonogo.TemplateItemAdded(in), product))
	})
}

// checkTemplateEdit asks the domain whether product's template may be
// edited: the global one always, a product's once it has its own.
func (tx *Tx) checkTemplateEdit(product string) error {
	if product == "" {
		return nil
	}
	p, err := tx.product(product)
	if err != nil {
		return err
	}
	return gonogo.CheckTemplateEdit(p)
}

// templateItemProduct returns the product whose template holds item id.
func (tx *Tx) templateItemProduct(id int64) (string, error) {
	var product string
	err := tx.QueryRow(`SELECT product FROM template_items WHERE id = ?`, id).Scan(&product)
	return product, notFound(err, "no template item with id %d", id)
}

// CustomizeTemplate gives the product key a template of its own: a copy
// of the global one, which its releases start with from now on.
func (s *Store) CustomizeTemplate(ctx context.Context, a gonogo.Actor, key string) error {
	return s.inTx(ctx, func(tx *Tx) error {
		p, err := tx.product(key)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM template_items WHERE product = ''`).Scan(&n); err != nil {
			return err
		}
		au, err := gonogo.CustomizeTemplate(p, n)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO template_items (product, phase, pillar, title, guidance, owner_role, required, check_key, position)
			SELECT ?, phase, pillar, title, guidance, owner_role, required, check_key, position
			FROM template_items WHERE product = '' ORDER BY position, id`, key); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE products SET own_template = 1 WHERE key = ?`, key); err != nil {
			return err
		}
		return tx.record(a, 0, au)
	})
}

// RevertTemplate removes the product key's own template: its releases
// start with the global one again. Releases made before keep theirs.
func (s *Store) RevertTemplate(ctx context.Context, a gonogo.Actor, key string) error {
	return s.inTx(ctx, func(tx *Tx) error {
		p, err := tx.product(key)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM template_items WHERE product = ?`, key).Scan(&n); err != nil {
			return err
		}
		au, err := gonogo.RevertTemplate(p, n)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM template_items WHERE product = ?`, key); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE products SET own_template = 0 WHERE key = ?`, key); err != nil {
			return err
		}
		return tx.record(a, 0, au)
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
		product, err := tx.templateItemProduct(id)
		if err != nil {
			return err
		}
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
		return tx.record(a, 0, gonogo.InTemplate(gonogo.TemplateItemChanged(in), product))
	})
}

// RemoveTemplateItem deletes an item from the template.
func (s *Store) RemoveTemplateItem(ctx context.Context, a gonogo.Actor, id int64) error {
	return s.inTx(ctx, func(tx *Tx) error {
		var title, product string
		if err := tx.QueryRow(`SELECT title, product FROM template_items WHERE id = ?`, id).Scan(&title, &product); err != nil {
			return notFound(err, "no template item with id %d", id)
		}
		if _, err := tx.Exec(`DELETE FROM template_items WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.record(a, 0, gonogo.InTemplate(gonogo.TemplateItemRemoved(title), product))
	})
}

// MoveTemplateItem moves an item one place up (delta -1) or down (+1) in the template.
func (s *Store) MoveTemplateItem(ctx context.Context, a gonogo.Actor, id int64, delta int) error {
	return s.inTx(ctx, func(tx *Tx) error {
		product, err := tx.templateItemProduct(id)
		if err != nil {
			return err
		}
		items, err := tx.templateOrder(product)
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
		return tx.record(a, 0, gonogo.InTemplate(au, product))
	})
}

func (tx *Tx) templateOrder(product string) ([]int64, error) {
	rows, err := tx.Query(`SELECT id FROM template_items WHERE product = ? ORDER BY position, id`, product)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanOne[int64])
}
