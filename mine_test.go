package gonogo_test

import (
	"slices"
	"testing"

	"github.com/gonogo/gonogo"
)

func TestMyProducts(t *testing.T) {
	qaPay := gonogo.Grant{Role: gonogo.QALead, Product: "payments"}
	opsMobile := gonogo.Grant{Role: gonogo.Ops, Product: "mobile"}
	tests := []struct {
		name     string
		grants   gonogo.Grants
		products []string
		on       bool
	}{
		{"one product", gonogo.NewGrants(qaPay), []string{"payments"}, true},
		{"two products", gonogo.NewGrants(qaPay, opsMobile), []string{"mobile", "payments"}, true},
		{"a role for every product too", gonogo.NewGrants(qaPay, gonogo.Grant{Role: gonogo.Ops}), []string{"payments"}, false},
		{"every product only", gonogo.NewGrants(gonogo.Grant{Role: gonogo.Ops}), nil, false},
		{"no role", nil, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			products, on := gonogo.MyProducts(tc.grants)
			if !slices.Equal(products, tc.products) || on != tc.on {
				t.Errorf("MyProducts = %v, %t; want %v, %t", products, on, tc.products, tc.on)
			}
		})
	}
}
