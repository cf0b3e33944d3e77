package db_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// A database made before products were things (testdata/before-products.db,
// the demo board of that day) upgrades without anyone losing anything:
// every product a release named becomes a product, and every role held
// is held for every product.
func TestUpgradeMakesProductsAndKeepsEveryRole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gonogo.db")
	fixture, err := os.ReadFile("testdata/before-products.db")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, fixture, 0o600); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	type held struct {
		user int64
		role string
	}
	var before []held
	rows, err := raw.Query(`SELECT user_id, role FROM user_roles ORDER BY user_id, role`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var h held
		rows.Scan(&h.user, &h.role)
		before = append(before, h)
	}
	var products []string
	rows, _ = raw.Query(`SELECT DISTINCT product FROM releases ORDER BY product`)
	for rows.Next() {
		var p string
		rows.Scan(&p)
		products = append(products, p)
	}
	raw.Close()
	if len(before) == 0 || len(products) < 2 {
		t.Fatalf("the fixture holds %d roles and products %v", len(before), products)
	}

	s, err := db.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer s.Close()
	got, err := s.FindProducts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, p := range got {
		keys = append(keys, p.Key)
		if p.Name != p.Key || p.Archived() || p.CreatedAt.IsZero() {
			t.Errorf("product %+v", p)
		}
	}
	slices.Sort(keys)
	if !slices.Equal(keys, products) {
		t.Errorf("products %v, want %v", keys, products)
	}
	var after []held
	users, _ := s.FindUsers(t.Context())
	for _, u := range users {
		if u.Grants.Scoped() {
			t.Errorf("%s holds roles for some products only: %s", u.Email, u.Grants.Text())
		}
		for _, r := range u.Roles {
			after = append(after, held{u.ID, string(r)})
		}
	}
	slices.SortFunc(after, func(a, b held) int {
		if a.user != b.user {
			return int(a.user - b.user)
		}
		return compareStrings(a.role, b.role)
	})
	if !slices.Equal(after, before) {
		t.Errorf("roles after the upgrade %v, before %v", after, before)
	}
	if _, _, err := s.VerifyAudit(t.Context()); err != nil {
		t.Errorf("the trail after the upgrade: %v", err)
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestRolesPerProduct(t *testing.T) {
	s := db.OpenTest(t)
	admin := actor(mustCreateUser(t, s, "admin@example.com", true))
	u := mustCreateUser(t, s, "quinn@example.com", false, gonogo.Ops)
	mustCreateRelease(t, s, "payments", "1.0.0") // makes the products
	mustCreateRelease(t, s, "web", "1.0.0")
	scoped := gonogo.Grants{{Role: gonogo.QALead, Product: "payments"}, {Role: gonogo.QALead, Product: "web"}}
	if _, err := s.UpdateUser(t.Context(), admin, u.ID, db.UserUpdate{Products: &scoped}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.FindUser(t.Context(), u.ID)
	if got.Grants.Text() != "qa-lead@payments, qa-lead@web, ops" || !slices.Equal(got.Roles, gonogo.RoleSet{gonogo.QALead, gonogo.Ops}) {
		t.Fatalf("grants %s, roles %v", got.Grants.Text(), got.Roles)
	}
	if e := lastEvent(t, s); e.Detail != "updated quinn@example.com: roles qa-lead@payments, qa-lead@web, ops" {
		t.Errorf("audit %q", e.Detail)
	}
	// A role for a product nobody made is refused, and nothing changes.
	nowhere := gonogo.Grants{{Role: gonogo.Ops, Product: "nowhere"}}
	if _, err := s.UpdateUser(t.Context(), admin, u.ID, db.UserUpdate{Products: &nowhere}); !strings.Contains(gonogo.ErrorFields(err)["grants"], `no product "nowhere"`) {
		t.Errorf("a role for no product: %v", err)
	}
	// Roles for every product change; the product ones stay.
	if _, err := s.UpdateUser(t.Context(), admin, u.ID, db.UserUpdate{Roles: ptr(gonogo.RoleSet{gonogo.SupportLead})}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.FindUser(t.Context(), u.ID)
	if got.Grants.Text() != "qa-lead@payments, qa-lead@web, support-lead" {
		t.Errorf("grants %s", got.Grants.Text())
	}
	if !slices.Equal(got.RolesOn("payments"), gonogo.RoleSet{gonogo.QALead, gonogo.SupportLead}) || !slices.Equal(got.RolesOn("mobile"), gonogo.RoleSet{gonogo.SupportLead}) {
		t.Errorf("on payments %v, on mobile %v", got.RolesOn("payments"), got.RolesOn("mobile"))
	}
}

func TestProducts(t *testing.T) {
	s := db.OpenTest(t)
	admin := actor(mustCreateUser(t, s, "admin@example.com", true))
	p, err := s.CreateProduct(t.Context(), admin, gonogo.ProductInput{Key: " Payments ", Name: "Payments", OwnerTeam: "Checkout"})
	if err != nil || p.Key != "payments" || p.OwnerTeam != "Checkout" {
		t.Fatalf("create: %+v, %v", p, err)
	}
	if _, err := s.CreateProduct(t.Context(), admin, gonogo.ProductInput{Key: "payments", Name: "Again"}); gonogo.ErrorFields(err)["key"] == "" {
		t.Errorf("a second payments: %v", err)
	}
	if _, err := s.CreateProduct(t.Context(), admin, gonogo.ProductInput{Key: "no way", Name: ""}); len(gonogo.ErrorFields(err)) != 2 {
		t.Errorf("bad input: %v", gonogo.ErrorFields(err))
	}
	if err := s.UpdateProduct(t.Context(), admin, "payments", gonogo.ProductInput{Name: "Payments API", OwnerTeam: "Checkout"}); err != nil {
		t.Fatal(err)
	}
	if e := lastEvent(t, s); e.Detail != `updated product payments: name "Payments API"` {
		t.Errorf("audit %q", e.Detail)
	}
	// A release of a product nobody made makes it, and says so.
	mustCreateRelease(t, s, "mobile", "1.0.0")
	if e := lastEvent(t, s); e.Detail != `created mobile 1.0.0 "Release 1.0.0" with 26 checklist items, the first of the new product mobile` {
		t.Errorf("audit %q", e.Detail)
	}
	if m, err := s.FindProduct(t.Context(), "mobile"); err != nil || m.Name != "mobile" {
		t.Errorf("mobile: %+v, %v", m, err)
	}
	// An archived product keeps its releases and takes no new ones.
	if err := s.ArchiveProduct(t.Context(), admin, "mobile", true); err != nil {
		t.Fatal(err)
	}
	if err := s.ArchiveProduct(t.Context(), admin, "mobile", true); gonogo.ErrorCode(err) != gonogo.ECONFLICT {
		t.Errorf("archived twice: %v", err)
	}
	_, err = s.CreateRelease(t.Context(), gonogo.SystemActor, gonogo.ReleaseInput{Product: "mobile", Version: "1.1.0", Title: "Next"})
	if msg := gonogo.ErrorFields(err)["product"]; msg != "mobile is archived: it takes no new releases" {
		t.Errorf("a release of an archived product: %v", err)
	}
	if rs, _ := s.FindReleases(t.Context(), gonogo.ReleaseFilter{Product: "mobile"}); len(rs) != 1 {
		t.Errorf("the archived product's releases: %d", len(rs))
	}
	all, _ := s.FindProducts(t.Context())
	if len(all) != 2 || all[0].Key != "payments" || !all[1].Archived() {
		t.Errorf("products %+v", all)
	}
}

// A release manager for one product creates and manages that product's
// releases, and no other's.
func TestReleasesOfOnesOwnProducts(t *testing.T) {
	s := db.OpenTest(t)
	admin := actor(mustCreateUser(t, s, "admin@example.com", true))
	u := mustCreateUser(t, s, "rita@example.com", false)
	if _, err := s.CreateProduct(t.Context(), admin, gonogo.ProductInput{Key: "web", Name: "Web"}); err != nil {
		t.Fatal(err)
	}
	scoped := gonogo.Grants{{Role: gonogo.ReleaseManager, Product: "web"}}
	u, err := s.UpdateUser(t.Context(), admin, u.ID, db.UserUpdate{Products: &scoped})
	if err != nil {
		t.Fatal(err)
	}
	rita := actor(u)
	rita.Grants = u.Grants
	if _, err := s.CreateRelease(t.Context(), rita, gonogo.ReleaseInput{Product: "web", Version: "1.0.0", Title: "Web", ManagerID: u.ID}); err != nil {
		t.Fatalf("web: %v", err)
	}
	_, err = s.CreateRelease(t.Context(), rita, gonogo.ReleaseInput{Product: "payments", Version: "1.0.0", Title: "Pay"})
	if gonogo.ErrorCode(err) != gonogo.EFORBIDDEN {
		t.Errorf("payments by web's release manager: %v", err)
	}
	_, err = s.CreateRelease(t.Context(), gonogo.SystemActor, gonogo.ReleaseInput{Product: "payments", Version: "1.0.0", Title: "Pay", ManagerID: u.ID})
	if gonogo.ErrorFields(err)["manager"] == "" {
		t.Errorf("web's release manager manages payments: %v", err)
	}
}
