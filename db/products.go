package db

import (
	"context"
	"slices"

	"github.com/gonogo/gonogo"
)

const productColumns = `p.key, p.name, p.description, p.owner_team, p.archived_at, p.created_at, p.own_template`

func scanProduct(sc scanner) (gonogo.Product, error) {
	var p gonogo.Product
	err := sc.Scan(&p.Key, &p.Name, &p.Description, &p.OwnerTeam, (*Time)(&p.ArchivedAt), (*Time)(&p.CreatedAt), &p.OwnTemplate)
	return p, err
}

// FindProducts returns every product, those in use first, by name. A
// company has tens of products, not thousands: the list is not paged.
// It is remembered until the next commit (memo).
func (s *Store) FindProducts(ctx context.Context) ([]gonogo.Product, error) {
	return remember(ctx, s, "products", func(ctx context.Context) ([]gonogo.Product, error) {
		rows, err := s.read.QueryContext(ctx, `SELECT `+productColumns+` FROM products p
			ORDER BY p.archived_at IS NOT NULL, lower(p.name), p.key`)
		if err != nil {
			return nil, err
		}
		return collect(rows, scanProduct)
	}, gonogo.CloneAll[gonogo.Product])
}

// FindProduct returns the product with key.
func (s *Store) FindProduct(ctx context.Context, key string) (gonogo.Product, error) {
	p, err := scanProduct(s.read.QueryRowContext(ctx, `SELECT `+productColumns+` FROM products p WHERE p.key = ?`, key))
	return p, notFound(err, "no product %q", key)
}

func (tx *Tx) product(key string) (gonogo.Product, error) {
	p, err := scanProduct(tx.QueryRow(`SELECT `+productColumns+` FROM products p WHERE p.key = ?`, key))
	return p, notFound(err, "no product %q", key)
}

// CreateProduct adds a product; its key must be unused.
func (s *Store) CreateProduct(ctx context.Context, a gonogo.Actor, in gonogo.ProductInput) (gonogo.Product, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return gonogo.Product{}, err
	}
	err := s.inTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO products (key, name, description, owner_team, created_at) VALUES (?, ?, ?, ?, ?)`,
			in.Key, in.Name, in.Description, in.OwnerTeam, Time(tx.now))
		if isUnique(err) {
			return gonogo.FieldErrorf("key", "a product with the key %s already exists", in.Key)
		} else if err != nil {
			return err
		}
		return tx.record(a, 0, gonogo.ProductCreated(in))
	})
	if err != nil {
		return gonogo.Product{}, err
	}
	return s.FindProduct(ctx, in.Key)
}

// UpdateProduct changes a product's name, description and owner team.
func (s *Store) UpdateProduct(ctx context.Context, a gonogo.Actor, key string, in gonogo.ProductInput) error {
	in.Key = key
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *Tx) error {
		p, err := tx.product(key)
		if err != nil {
			return err
		}
		au, changed := gonogo.EditProduct(p, in)
		if !changed {
			return nil
		}
		if _, err := tx.Exec(`UPDATE products SET name = ?, description = ?, owner_team = ? WHERE key = ?`,
			in.Name, in.Description, in.OwnerTeam, key); err != nil {
			return err
		}
		return tx.record(a, 0, au)
	})
}

// ArchiveProduct archives a product, or puts it back in use.
func (s *Store) ArchiveProduct(ctx context.Context, a gonogo.Actor, key string, archive bool) error {
	return s.inTx(ctx, func(tx *Tx) error {
		p, err := tx.product(key)
		if err != nil {
			return err
		}
		au, err := gonogo.ArchiveProduct(p, archive)
		if err != nil {
			return err
		}
		var at Time // NULL: in use
		if archive {
			at = Time(tx.now)
		}
		if _, err := tx.Exec(`UPDATE products SET archived_at = ? WHERE key = ?`, at, key); err != nil {
			return err
		}
		return tx.record(a, 0, au)
	})
}

// productKeys reads every product's key inside the transaction.
func (tx *Tx) productKeys() ([]string, error) {
	rows, err := tx.Query(`SELECT key FROM products`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanOne[string])
}

// productForRelease makes sure a new release's product exists and takes
// new releases: a release naming a product nobody made yet makes it (CI
// pipelines create releases of new products, as they always have), and
// says so (the release's audit names the new product).
func (tx *Tx) productForRelease(key string) (created bool, err error) {
	p, err := tx.product(key)
	if gonogo.ErrorCode(err) == gonogo.ENOTFOUND {
		_, err := tx.Exec(`INSERT INTO products (key, name, created_at) VALUES (?, ?, ?)`, key, key, Time(tx.now))
		return err == nil, err
	} else if err != nil {
		return false, err
	}
	return false, gonogo.CheckNewRelease(p)
}

// CountReleases returns how many releases each product has, by key; a
// product without releases is not in the map.
func (s *Store) CountReleases(ctx context.Context) (map[string]int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT product, count(*) FROM releases GROUP BY product`)
	if err != nil {
		return nil, err
	}
	return collectMap[string, int](rows)
}

// MaxHolders bounds how many holders of one role a product's team lists:
// roles held for every product may be held by many; the rest are counted.
const MaxHolders = 25

// Holder is a person who holds a role for a product: for it alone, or for
// every product (Everywhere).
type Holder struct {
	Role       gonogo.Role
	UserID     int64
	Name       string
	Email      string
	Everywhere bool
}

// Team is who holds each role for a product: by role, the product's own
// holders first, then those for every product, by name, at most
// MaxHolders each; Count says how many hold it in all. Disabled people
// hold nothing.
type Team struct {
	Holders map[gonogo.Role][]Holder
	Count   map[gonogo.Role]int
}

// FindTeam returns the team of the product key.
func (s *Store) FindTeam(ctx context.Context, key string) (Team, error) {
	// A person may hold a role both for every product and for this one
	// (by hand and through a group): they are listed once, as holding it
	// for every product.
	rows, err := s.read.QueryContext(ctx, `SELECT role, user_id, name, email, everywhere, total FROM (
		SELECT role, user_id, name, email, everywhere,
			row_number() OVER (PARTITION BY role ORDER BY everywhere, lower(name), user_id) AS n,
			count(*) OVER (PARTITION BY role) AS total
		FROM (SELECT r.role, u.id AS user_id, u.name, u.email, max(r.product = '') AS everywhere
			FROM user_roles r JOIN users u ON u.id = r.user_id
			WHERE u.disabled = 0 AND r.product IN ('', ?)
			GROUP BY r.role, u.id)
	) WHERE n <= ? ORDER BY role, n`, key, MaxHolders)
	if err != nil {
		return Team{}, err
	}
	defer rows.Close()
	t := Team{Holders: map[gonogo.Role][]Holder{}, Count: map[gonogo.Role]int{}}
	for rows.Next() {
		var h Holder
		var total int
		if err := rows.Scan(&h.Role, &h.UserID, &h.Name, &h.Email, &h.Everywhere, &total); err != nil {
			return Team{}, err
		}
		if !slices.Contains(gonogo.Roles, h.Role) {
			continue
		}
		t.Holders[h.Role] = append(t.Holders[h.Role], h)
		t.Count[h.Role] = total
	}
	return t, rows.Err()
}
