package gonogo

// MyProducts is what the board's "My products" filter keeps for a person
// holding gs: the products they hold a role for one by one, nil if none.
// The filter is on unless the address says otherwise for a person whose
// every role is held for some products only. One who holds a role for
// every product has every product as theirs: they see the whole board
// unless they ask for the products they answer for by name.
func MyProducts(gs Grants) (products []string, onByDefault bool) {
	products = gs.Products()
	everywhere, _ := gs.Split()
	return products, len(products) > 0 && len(everywhere) == 0
}
