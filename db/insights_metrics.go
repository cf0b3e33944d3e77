package db

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/gonogo/gonogo"
)

// FindProductInsights returns the insights of each product over p, one per
// product in order of key: what /metrics reports of every product at each
// scrape. Every product not archived has its insights, and so has any
// other product with history in the period. It reads the facts once and
// sums them per product, so a scrape costs one read however many products
// there are, and it is remembered until the next commit (memo): the result
// is shared, and read only.
func (s *Store) FindProductInsights(ctx context.Context, p gonogo.Period) ([]gonogo.Insights, error) {
	key := fmt.Sprintf("product insights %d %d", p.From.UnixNano(), p.To.UnixNano())
	return remember(ctx, s, key, func(ctx context.Context) ([]gonogo.Insights, error) {
		facts, err := s.readFacts(ctx, "", p.Prev().From)
		if err != nil {
			return nil, err
		}
		products, err := s.FindProducts(ctx)
		if err != nil {
			return nil, err
		}
		per := map[string][]gonogo.Facts{}
		for _, pr := range products {
			if !pr.Archived() {
				per[pr.Key] = nil
			}
		}
		for _, f := range facts {
			per[f.Product] = append(per[f.Product], f)
		}
		out := make([]gonogo.Insights, 0, len(per))
		for _, key := range slices.Sorted(maps.Keys(per)) {
			out = append(out, gonogo.Summarize(per[key], key, p))
		}
		return out, nil
	}, slices.Clone[[]gonogo.Insights])
}
