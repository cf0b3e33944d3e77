package db

import (
	"context"
	"database/sql"
	"errors"

	"github.com/gonogo/gonogo"
)

const mappingColumns = `m.id, m.group_name, m.role, m.product, m.admin`

func scanMapping(sc scanner) (gonogo.GroupMapping, error) {
	var m gonogo.GroupMapping
	var role string
	err := sc.Scan(&m.ID, &m.Group, &role, &m.Grant.Product, &m.Admin)
	m.Grant.Role = gonogo.Role(role)
	return m, err
}

// FindGroupMappings returns every mapping of a group, by group, then what
// it gives. There are at most gonogo.MaxGroupMappings.
func (s *Store) FindGroupMappings(ctx context.Context) ([]gonogo.GroupMapping, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+mappingColumns+` FROM group_mappings m
		ORDER BY m.group_name, m.admin DESC, m.role, m.product LIMIT ?`, gonogo.MaxGroupMappings)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanMapping)
}

func (tx *Tx) groupMappings() ([]gonogo.GroupMapping, error) {
	rows, err := tx.Query(`SELECT `+mappingColumns+` FROM group_mappings m ORDER BY m.id LIMIT ?`, gonogo.MaxGroupMappings)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanMapping)
}

// CreateGroupMapping maps a group to what in says. The product must be one
// the board has and not archived; a group is mapped to the same thing once.
func (s *Store) CreateGroupMapping(ctx context.Context, a gonogo.Actor, in gonogo.GroupMappingInput) (gonogo.GroupMapping, error) {
	in.Normalize()
	m, err := in.Mapping()
	if err != nil {
		return m, err
	}
	err = s.inTx(ctx, func(tx *Tx) error {
		if !m.Admin && m.Grant.Product != "" {
			p, err := tx.product(m.Grant.Product)
			if gonogo.ErrorCode(err) == gonogo.ENOTFOUND {
				return gonogo.FieldErrorf("product", "there is no product %q", m.Grant.Product)
			} else if err != nil {
				return err
			} else if p.Archived() {
				return gonogo.FieldErrorf("product", "%s is archived: it takes no new roles", p.Name)
			}
		}
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM group_mappings`).Scan(&n); err != nil {
			return err
		} else if n >= gonogo.MaxGroupMappings {
			return gonogo.FieldErrorf("group", "the board maps at most %d groups: remove one first", gonogo.MaxGroupMappings)
		}
		res, err := tx.Exec(`INSERT INTO group_mappings (group_name, role, product, admin, created_at) VALUES (?, ?, ?, ?, ?)`,
			m.Group, string(m.Grant.Role), m.Grant.Product, boolInt(m.Admin), Time(tx.now))
		if isUnique(err) {
			return gonogo.FieldErrorf("group", "group %q is mapped to %s already", m.Group, m.Gives())
		} else if err != nil {
			return err
		}
		m.ID, _ = res.LastInsertId()
		return tx.record(a, 0, gonogo.GroupMapped(m))
	})
	return m, err
}

// DeleteGroupMapping removes the mapping with id. A mapping gone already
// is no error: whoever asked wanted it gone, and it is. The roles it gave
// go at each person's next sign-in.
func (s *Store) DeleteGroupMapping(ctx context.Context, a gonogo.Actor, id int64) error {
	return s.inTx(ctx, func(tx *Tx) error {
		m, err := scanMapping(tx.QueryRow(`SELECT `+mappingColumns+` FROM group_mappings m WHERE m.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM group_mappings WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.record(a, 0, gonogo.GroupUnmapped(m))
	})
}

// held reads what the user holds, by who gave it, and how many other
// enabled admins the board has, through q: a reader or the transaction
// that is to change it.
func held(ctx context.Context, q querier, userID int64) (gonogo.Held, error) {
	var h gonogo.Held
	rows, err := q.QueryContext(ctx, `SELECT role, product, source FROM user_roles WHERE user_id = ? ORDER BY role, product`, userID)
	if err != nil {
		return h, err
	}
	type row struct {
		g      gonogo.Grant
		source string
	}
	rs, err := collect(rows, func(sc scanner) (row, error) {
		var r row
		var role string
		err := sc.Scan(&role, &r.g.Product, &r.source)
		r.g.Role = gonogo.Role(role)
		return r, err
	})
	if err != nil {
		return h, err
	}
	for _, r := range rs {
		if r.source == "group" {
			h.ByGroup = append(h.ByGroup, r.g)
		} else {
			h.Hand = append(h.Hand, r.g)
		}
	}
	var source string
	if err := q.QueryRowContext(ctx, `SELECT admin, admin_source FROM users WHERE id = ?`, userID).Scan(&h.Admin, &source); err != nil {
		return h, notFound(err, "no user with id %d", userID)
	}
	h.AdminByGroup = h.Admin && source == "group"
	err = q.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE admin = 1 AND disabled = 0 AND id <> ?`, userID).Scan(&h.OtherAdmins)
	return h, err
}

// applyGroupSync writes what gonogo.SyncGroups planned for the user.
func (tx *Tx) applyGroupSync(userID int64, s gonogo.GroupSync) error {
	for _, g := range s.Add {
		if _, err := tx.Exec(`INSERT INTO user_roles (user_id, role, product, source) VALUES (?, ?, ?, 'group')
			ON CONFLICT (user_id, role, product) DO NOTHING`, userID, string(g.Role), g.Product); err != nil {
			return err
		}
	}
	for _, g := range s.Remove {
		if _, err := tx.Exec(`DELETE FROM user_roles WHERE user_id = ? AND role = ? AND product = ? AND source = 'group'`,
			userID, string(g.Role), g.Product); err != nil {
			return err
		}
	}
	switch {
	case s.GiveAdmin:
		_, err := tx.Exec(`UPDATE users SET admin = 1, admin_source = 'group' WHERE id = ?`, userID)
		return err
	case s.TakeAdmin:
		_, err := tx.Exec(`UPDATE users SET admin = 0 WHERE id = ? AND admin_source = 'group'`, userID)
		return err
	}
	return nil
}

// handOnly makes u and up an admin's change of what the user holds by
// hand: the admin's form shows the roles given by hand, so u's roles are
// those alone, and an admin flag a group gave is the group's to take away,
// not the form's (its box is not on the form).
func (tx *Tx) handOnly(u *gonogo.User, up *UserUpdate) error {
	h, err := held(context.Background(), tx.Tx, u.ID)
	if err != nil {
		return err
	}
	u.Grants = gonogo.NewGrants(h.Hand...)
	u.Roles = u.Grants.Roles()
	if h.AdminByGroup {
		up.Admin = nil
	}
	return nil
}

// FindGroupGiven returns what groups gave the user with id, each with the
// groups that give it now, and the roles given by hand, as stored.
func (s *Store) FindGroupGiven(ctx context.Context, id int64) (given gonogo.GroupGiven, hand gonogo.Grants, err error) {
	h, err := held(ctx, s.read, id)
	if err != nil {
		return given, nil, err
	}
	mappings, err := s.FindGroupMappings(ctx)
	if err != nil {
		return given, nil, err
	}
	ids, err := s.FindIdentities(ctx, id)
	if err != nil {
		return given, nil, err
	}
	var groups []string
	for _, id := range ids {
		groups = append(groups, id.Groups...)
	}
	return gonogo.GivenBy(h.ByGroup, h.AdminByGroup, mappings, groups), gonogo.NewGrants(h.Hand...), nil
}

// maxSeenGroups bounds the groups the Sign-in page lists as brought by
// people at their last sign-in: the most common first.
const maxSeenGroups = 100

// FindSeenGroups returns the groups people brought at their last sign-in,
// with how many people brought each, the most common first: the names an
// admin can map, spelled as the provider spells them.
func (s *Store) FindSeenGroups(ctx context.Context) ([]gonogo.SeenGroup, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT g.value, count(DISTINCT i.user_id) AS n
		FROM identities i, json_each(i.groups) g
		GROUP BY g.value ORDER BY n DESC, g.value LIMIT ?`, maxSeenGroups)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(sc scanner) (gonogo.SeenGroup, error) {
		var g gonogo.SeenGroup
		return g, sc.Scan(&g.Group, &g.People)
	})
}
