package db

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/gonogo/gonogo"
)

// FindPolicies returns the product key's policy for every kind, in the
// order of gonogo.Kinds: the one set, or the kind's default.
func (s *Store) FindPolicies(ctx context.Context, key string) ([]gonogo.Policy, error) {
	var out []gonogo.Policy
	for _, k := range gonogo.Kinds {
		p, err := findPolicy(ctx, s.read, key, k)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// FindPolicy returns the product key's policy for kind k.
func (s *Store) FindPolicy(ctx context.Context, key string, k gonogo.Kind) (gonogo.Policy, error) {
	return findPolicy(ctx, s.read, key, k)
}

const policyColumns = `product, kind, roles, min_voters, template, review_days`

func scanPolicy(sc scanner) (gonogo.Policy, error) {
	p := gonogo.Policy{Set: true}
	var roles string
	if err := sc.Scan(&p.Product, &p.Kind, &roles, &p.MinGoVoters, &p.Template, &p.ReviewWithinDays); err != nil {
		return p, err
	}
	var rs []gonogo.Role
	for _, r := range strings.Split(roles, ",") {
		rs = append(rs, gonogo.Role(r))
	}
	p.Roles = gonogo.NewRoleSet(rs...)
	return p, nil
}

func findPolicy(ctx context.Context, q querier, key string, k gonogo.Kind) (gonogo.Policy, error) {
	p, err := scanPolicy(q.QueryRowContext(ctx, `SELECT `+policyColumns+` FROM product_policies WHERE product = ? AND kind = ?`, key, string(k)))
	if errors.Is(err, sql.ErrNoRows) {
		return gonogo.DefaultPolicy(key, k), nil
	}
	return p, err
}

// SetPolicy sets the product key's policy for kind k from in, audited;
// releases of the kind are judged by it from then on (a hotfix's review
// already due keeps its deadline).
func (s *Store) SetPolicy(ctx context.Context, a gonogo.Actor, key string, k gonogo.Kind, in gonogo.PolicyInput) error {
	pol, err := gonogo.NewPolicy(key, k, in)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.product(key); err != nil {
			return err
		}
		was, err := findPolicy(ctx, tx, key, k)
		if err != nil {
			return err
		}
		au, changed := gonogo.PolicyChanged(was, pol)
		if !changed {
			return nil
		}
		roles := make([]string, len(pol.Roles))
		for i, r := range pol.Roles {
			roles[i] = string(r)
		}
		if _, err := tx.Exec(`INSERT INTO product_policies (product, kind, roles, min_voters, template, review_days) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (product, kind) DO UPDATE SET roles = excluded.roles, min_voters = excluded.min_voters,
			template = excluded.template, review_days = excluded.review_days`,
			key, string(k), strings.Join(roles, ","), pol.MinGoVoters, string(pol.Template), pol.ReviewWithinDays); err != nil {
			return err
		}
		return tx.record(a, 0, au)
	})
}

// findAllPolicies reads every policy set, by product and kind: one read
// for a board, as long as the list of products.
func findAllPolicies(ctx context.Context, q querier) (map[string]gonogo.Policy, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+policyColumns+` FROM product_policies`)
	if err != nil {
		return nil, err
	}
	pols, err := collect(rows, scanPolicy)
	if err != nil {
		return nil, err
	}
	out := make(map[string]gonogo.Policy, len(pols))
	for _, p := range pols {
		out[p.Product+" "+string(p.Kind)] = p
	}
	return out, nil
}

// policyOf is the policy of rel's kind among those set, or the default.
func policyOf(set map[string]gonogo.Policy, rel gonogo.Release) gonogo.Policy {
	if p, ok := set[rel.Product+" "+string(rel.Kind)]; ok {
		return p
	}
	return gonogo.DefaultPolicy(rel.Product, rel.Kind)
}

// FindOverdueReviews returns the hotfixes whose post-release review is
// overdue at now, the longest overdue first, at most limit: read through
// the index of open review items, so the read grows with the reviews
// still owed, not with the history.
func (s *Store) FindOverdueReviews(ctx context.Context, limit int) ([]gonogo.Release, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+releaseColumns+releaseFrom+`WHERE r.id IN
		(SELECT i.release_id FROM items i WHERE i.check_key = 'post-release-review' AND i.status IN ('open', 'failed'))
		AND r.kind = 'hotfix' AND r.review_due IS NOT NULL AND r.review_due < ? AND r.state <> 'cancelled'
		ORDER BY r.review_due, r.id LIMIT ?`, Time(s.Now()), limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanRelease)
}
